//! Every sentence of the reports, one table per language (`fr.rs`, `en.rs`): the fixed ones
//! named by [`M`], the ones with values as the methods of [`Words`]. A new language is one more
//! table; the compiler shows every message it lacks. `scripts/messages.py` moves new
//! `l.t("…", "…")` pairs written in the code into the tables.

mod en;
mod fr;
mod keys;

use crate::lang::Lang;
pub use keys::M;

/// The message `m` in the language `l`.
pub fn msg(l: Lang, m: M) -> &'static str {
    match l {
        Lang::Fr => fr::text(m),
        Lang::En => en::text(m),
    }
}
