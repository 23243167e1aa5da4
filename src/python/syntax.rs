//! Syntax colouring, for the page's program editor: a program's text cut into pieces, each with
//! the class the style sheet colours it by.
//!
//! It only colours, so it is forgiving where the interpreter's lexer is strict: an unterminated
//! string runs to the end of its line (or of the text, for a triple-quoted one) and anything it
//! does not know is plain text. Concatenating the pieces gives the text back exactly.

/// What a piece of text is, for its colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Plain,
    Keyword,
    /// A built-in function or constant: `print`, `len`, `True`, `None`.
    Builtin,
    Str,
    Number,
    Comment,
    /// A name right after `def` or `class`.
    Definition,
}

impl Kind {
    /// The class the style sheet colours it by.
    pub fn class(self) -> &'static str {
        match self {
            Kind::Plain => "",
            Kind::Keyword => "kw",
            Kind::Builtin => "bi",
            Kind::Str => "st",
            Kind::Number => "nu",
            Kind::Comment => "co",
            Kind::Definition => "de",
        }
    }
}

const KEYWORDS: [&str; 32] = [
    "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del", "elif", "else", "except",
    "finally", "for", "from", "global", "if", "import", "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise",
    "return", "try", "while", "with", "yield",
];

const BUILTINS: [&str; 23] = [
    "True",
    "False",
    "None",
    "print",
    "input",
    "raw_input",
    "len",
    "range",
    "str",
    "int",
    "float",
    "bytes",
    "list",
    "dict",
    "tuple",
    "set",
    "repr",
    "open",
    "isinstance",
    "enumerate",
    "super",
    "self",
    "exit",
];

/// The program's text as coloured pieces, in order.
pub fn pieces(text: &str) -> Vec<(Kind, &str)> {
    let bytes = text.as_bytes();
    let mut pieces = Vec::new();
    let mut plain_from = 0;
    let mut after_def = false;
    let mut at = 0;
    while at < bytes.len() {
        let c = bytes[at];
        let (kind, end) = if c == b'#' {
            (Kind::Comment, line_end(bytes, at))
        } else if let Some(quote) = string_start(bytes, at) {
            (Kind::Str, string_end(bytes, quote))
        } else if c.is_ascii_digit() || (c == b'.' && bytes.get(at + 1).is_some_and(u8::is_ascii_digit)) {
            let end =
                at + bytes[at..].iter().take_while(|b| b.is_ascii_alphanumeric() || **b == b'.' || **b == b'_').count();
            (Kind::Number, end)
        } else if c.is_ascii_alphabetic() || c == b'_' {
            let end = at + bytes[at..].iter().take_while(|b| b.is_ascii_alphanumeric() || **b == b'_').count();
            let word = &text[at..end];
            let kind = if after_def {
                Kind::Definition
            } else if KEYWORDS.contains(&word) {
                Kind::Keyword
            } else if BUILTINS.contains(&word) {
                Kind::Builtin
            } else {
                Kind::Plain
            };
            after_def = matches!(word, "def" | "class");
            (kind, end)
        } else {
            at += text[at..].chars().next().map_or(1, char::len_utf8);
            continue;
        };
        if kind == Kind::Plain {
            at = end;
            continue;
        }
        if plain_from < at {
            pieces.push((Kind::Plain, &text[plain_from..at]));
        }
        pieces.push((kind, &text[at..end]));
        plain_from = end;
        at = end;
    }
    if plain_from < text.len() {
        pieces.push((Kind::Plain, &text[plain_from..]));
    }
    pieces
}

fn line_end(bytes: &[u8], from: usize) -> usize {
    bytes[from..].iter().position(|&b| b == b'\n').map_or(bytes.len(), |n| from + n)
}

/// A string literal starting here (with its prefix: `b'…'`, `f"…"`, `rb'''…'''`): where its
/// body starts, its quote and whether it is triple-quoted.
fn string_start(bytes: &[u8], at: usize) -> Option<(usize, u8, bool)> {
    let prefix = bytes[at..].iter().take(2).take_while(|b| b"bBrRfFuU".contains(b)).count();
    if prefix > 0 && at > 0 && (bytes[at - 1].is_ascii_alphanumeric() || bytes[at - 1] == b'_') {
        return None;
    }
    let quote = *bytes.get(at + prefix)?;
    if quote != b'\'' && quote != b'"' {
        return None;
    }
    let triple = bytes.get(at + prefix + 1) == Some(&quote) && bytes.get(at + prefix + 2) == Some(&quote);
    Some((at + prefix + if triple { 3 } else { 1 }, quote, triple))
}

/// Where a string literal ends (after its closing quote), or where an unterminated one stops.
fn string_end(bytes: &[u8], (mut at, quote, triple): (usize, u8, bool)) -> usize {
    while at < bytes.len() {
        match bytes[at] {
            b'\\' => at += 2,
            b'\n' if !triple => return at,
            b if b == quote && (!triple || bytes[at..].starts_with(&[quote; 3])) => {
                return at + if triple { 3 } else { 1 };
            }
            _ => at += 1,
        }
    }
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn coloured(text: &str) -> Vec<(Kind, &str)> {
        pieces(text).into_iter().filter(|(kind, _)| *kind != Kind::Plain).collect()
    }

    #[test]
    fn colours_the_parts_of_a_socket_program() {
        let text = "from socket import *\ns = socket(AF_INET, SOCK_STREAM)  # TCP\ns.bind(('', 8080))\n";
        assert_eq!(
            coloured(text),
            [
                (Kind::Keyword, "from"),
                (Kind::Keyword, "import"),
                (Kind::Comment, "# TCP"),
                (Kind::Str, "''"),
                (Kind::Number, "8080"),
            ]
        );
    }

    #[test]
    fn strings_with_prefixes_escapes_and_triple_quotes() {
        assert_eq!(
            coloured(r#"b'it\'s' f"{x}" rb'''a'b'''"#),
            [(Kind::Str, r"b'it\'s'"), (Kind::Str, r#"f"{x}""#), (Kind::Str, "rb'''a'b'''"),]
        );
        assert_eq!(coloured("'open\nx = 1"), [(Kind::Str, "'open"), (Kind::Number, "1")]);
        assert_eq!(coloured("name_b'x'"), [(Kind::Str, "'x'")], "a name ending in b is no prefix");
    }

    #[test]
    fn definitions_builtins_and_keywords() {
        assert_eq!(
            coloured("def handle(conn):\n    print(len(conn), True)"),
            [
                (Kind::Keyword, "def"),
                (Kind::Definition, "handle"),
                (Kind::Builtin, "print"),
                (Kind::Builtin, "len"),
                (Kind::Builtin, "True"),
            ]
        );
    }

    #[test]
    fn the_pieces_give_the_text_back() {
        for text in ["", "x", "é = 'ü' # ñ\n\t\"\"\"\n", "'''never closed", "\\", "1.5e3 .5 0x1F"] {
            let joined: String = pieces(text).into_iter().map(|(_, piece)| piece).collect();
            assert_eq!(joined, text);
        }
    }
}
