//! French: the fixed messages (`text.rs`) and the sentences with values (`words.rs`).

mod text;
mod words;

pub use text::text;

/// The French wording.
pub struct Fr;
