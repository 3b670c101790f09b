//! What the user typed in the search box, made into a safe FTS5 `MATCH` expression. Pure.
//!
//! Raw user text is never handed to `MATCH` (FTS5 has its own syntax: `AND`, `OR`, `NOT`,
//! `NEAR(…)`, `col:`, `^`, `*`, parentheses). Instead every word becomes a quoted string —
//! inside quotes FTS5 operators are plain text, and the tokenizer splits `ORD-2024-003` into the
//! phrase `ord 2024 003` — and the words are ANDed. `"quoted words"` stay one phrase. The last
//! bare word, when the text does not end with a space, matches as a prefix (`inv` finds
//! `invoice`, as the user is still typing). Words with no letter or digit (`*`, `:`, `(`) are
//! dropped, as the tokenizer would drop them. Nothing left: no text constraint (`None`).

/// Most words or phrases taken from one search (the rest are ignored).
pub const MAX_TERMS: usize = 32;

/// One word or phrase of the search.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Term {
    text: String,
    phrase: bool,
}

/// The FTS5 expression for `input`, or `None` when it holds no word.
pub fn match_expression(input: &str) -> Option<String> {
    // Control characters separate words (and a NUL would end FTS5's reading of the string).
    let input: String = input.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    let input = input.as_str();
    let terms = terms(input);
    if terms.is_empty() {
        return None;
    }
    let prefix_last = !input.ends_with(char::is_whitespace) && terms.last().is_some_and(|t| !t.phrase);
    let n = terms.len();
    let parts: Vec<String> = terms
        .into_iter()
        .enumerate()
        .map(|(i, t)| {
            let quoted = format!("\"{}\"", t.text.replace('"', "\"\""));
            if prefix_last && i + 1 == n { format!("{quoted}*") } else { quoted }
        })
        .collect();
    Some(parts.join(" "))
}

fn has_word(s: &str) -> bool {
    s.chars().any(char::is_alphanumeric)
}

fn terms(input: &str) -> Vec<Term> {
    let mut out = Vec::new();
    let mut rest = input;
    while out.len() < MAX_TERMS {
        rest = rest.trim_start();
        if rest.is_empty() {
            break;
        }
        if let Some(after) = rest.strip_prefix('"') {
            // A phrase runs to the next quote, or to the end when it is not closed.
            let (inner, tail) = match after.find('"') {
                Some(end) => (&after[..end], &after[end + 1..]),
                None => (after, ""),
            };
            if has_word(inner) {
                out.push(Term { text: inner.split_whitespace().collect::<Vec<_>>().join(" "), phrase: true });
            }
            rest = tail;
        } else {
            let end = rest.find(|c: char| c.is_whitespace() || c == '"').unwrap_or(rest.len());
            let word = &rest[..end];
            if has_word(word) {
                out.push(Term { text: word.to_owned(), phrase: false });
            }
            rest = &rest[end..];
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::match_expression as m;

    #[test]
    fn words_are_quoted_and_the_last_is_a_prefix() {
        assert_eq!(m("ORD-2024-003").as_deref(), Some("\"ORD-2024-003\"*"));
        assert_eq!(m("invoice overdue ").as_deref(), Some("\"invoice\" \"overdue\""));
        assert_eq!(m("invoice over").as_deref(), Some("\"invoice\" \"over\"*"));
        assert_eq!(m("\"kpi threshold\"").as_deref(), Some("\"kpi threshold\""));
        assert_eq!(m("a \"b  c\" d").as_deref(), Some("\"a\" \"b c\" \"d\"*"));
    }

    #[test]
    fn empty_or_wordless_input_is_no_constraint() {
        assert_eq!(m(""), None);
        assert_eq!(m("   "), None);
        assert_eq!(m("* : ( ) \"\" \"*\""), None);
    }

    #[test]
    fn hostile_input_stays_inside_quotes() {
        assert_eq!(m("a\"b").as_deref(), Some("\"a\" \"b\""), "an unclosed phrase");
        assert_eq!(m("NEAR(a b)").as_deref(), Some("\"NEAR(a\" \"b)\"*"));
        assert_eq!(m("x OR y NOT z").as_deref(), Some("\"x\" \"OR\" \"y\" \"NOT\" \"z\"*"));
        assert_eq!(m("text:foo ^bar").as_deref(), Some("\"text:foo\" \"^bar\"*"));
        assert_eq!(m("\"unclosed phrase").as_deref(), Some("\"unclosed phrase\""));
        assert_eq!(m("Café ünïcödé 東京").as_deref(), Some("\"Café\" \"ünïcödé\" \"東京\"*"));
        assert_eq!(m("near\u{0}or\u{1b}").as_deref(), Some("\"near\" \"or\""));
        let many = "w ".repeat(100);
        assert_eq!(m(&many).unwrap().matches("\"w\"").count(), super::MAX_TERMS);
    }
}
