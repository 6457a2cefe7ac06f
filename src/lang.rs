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

    /// Of a text the profiles give in both languages, the one to show: the French when it is
    /// given, else the English.
    pub fn pick<'a>(self, fr: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Fr if !fr.is_empty() => fr,
            _ => en,
        }
    }

    /// Of the `i`-th text of a list the profiles give in both languages, the one to show.
    pub fn pick_nth<'a>(self, fr: &'a [String], en: &'a [String], i: usize) -> &'a str {
        let en = en.get(i).map_or("", String::as_str);
        self.pick(fr.get(i).map_or("", String::as_str), en)
    }

    /// Pick the French or the English text: how a new fixed sentence is first written
    /// (`l.t(fr, en)` with two literals); `scripts/messages.py` then moves it into the tables,
    /// and a test fails while one is left in the code.
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

#[cfg(test)]
mod pick_tests {
    use super::Lang;

    #[test]
    fn a_profiles_french_is_shown_in_french_when_it_is_given() {
        assert_eq!(Lang::Fr.pick("relais", "relay"), "relais");
        assert_eq!(Lang::Fr.pick("", "relay"), "relay");
        assert_eq!(Lang::En.pick("relais", "relay"), "relay");
        let (fr, en) = (vec!["un".to_string()], vec!["one".into(), "two".into()]);
        assert_eq!(Lang::Fr.pick_nth(&fr, &en, 0), "un");
        assert_eq!(Lang::Fr.pick_nth(&fr, &en, 1), "two");
        assert_eq!(Lang::En.pick_nth(&fr, &en, 0), "one");
    }
}
