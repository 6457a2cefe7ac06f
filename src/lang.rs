//! The language of what people read: the ground floor, so the layers below the reports can carry
//! it without reaching up into them. The words themselves live in `report/`.

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    Fr,
    En,
}

impl Lang {
    /// `--lang`, else `LANG`/`LC_ALL`/the OS locale: French when it starts with `fr`.
    pub fn detect(explicit: Option<&str>) -> Lang {
        let pick = |s: &str| {
            if s.to_ascii_lowercase().starts_with("fr") {
                Lang::Fr
            } else {
                Lang::En
            }
        };
        if let Some(s) = explicit {
            return pick(s);
        }
        for var in ["LC_ALL", "LC_MESSAGES", "LANG"] {
            if let Ok(v) = std::env::var(var)
                && !v.is_empty()
                && v != "C"
                && v != "POSIX"
                && !v.starts_with("C.")
            {
                return pick(&v);
            }
        }
        sys_locale::get_locale()
            .map(|l| pick(&l))
            .unwrap_or(Lang::En)
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Fr => "fr",
            Lang::En => "en",
        }
    }

    /// Pick the French or the English text.
    pub fn t<'a>(self, fr: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Fr => fr,
            Lang::En => en,
        }
    }

    /// A decimal number as the language writes it (`1,8` in French, `1.8` in English).
    pub fn dec(self, v: f64, digits: usize) -> String {
        self.decimals(format!("{v:.digits$}"))
    }

    /// A number as written in a profile (`1`, `0.5`), with the language's decimal separator.
    pub fn num(self, v: f64) -> String {
        self.decimals(format!("{v}"))
    }

    fn decimals(self, s: String) -> String {
        match self {
            Lang::Fr => s.replace('.', ","),
            Lang::En => s,
        }
    }
}
