//! French: the fixed messages (`text.rs`), the sentences with values (`words.rs`) and the
//! errors' (`errors.rs`).

mod errors;
mod text;
mod words;

pub use text::text;

/// The French wording.
pub struct Fr;
