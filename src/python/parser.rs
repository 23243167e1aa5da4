//! The parser: tokens to a syntax tree, by recursive descent.
//!
//! This module owns Python's grammar as far as socksim takes it: every statement and expression
//! of the subset, Python 2's `print` statement, `except E, e:` and `raise E, "message"` (which mark
//! the program as Python 2, see [`Program::python2`]), and the errors CPython gives for text that is
//! not Python. Nesting (brackets, operators, blocks) is bounded, so a hostile program gets a
//! `RecursionError` rather than a stack overflow.

use std::rc::Rc;

use super::ast::*;
use super::builtins::Native;
use super::token::{tokenize, FPart, Tok, Token};
use super::traceback::CompileError;
use super::value::Value;

/// How deep expressions and blocks may nest (CPython's parser stops at 200 brackets).
const MAX_DEPTH: u32 = 100;

const KEYWORDS: [&str; 33] = [
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del",
    "elif", "else", "except", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda", "nonlocal",
    "not", "or", "pass", "raise", "return", "try", "while",
];

/// A parsed program.
pub struct Program {
    pub body: Vec<Stmt>,
    /// The program uses Python 2 syntax or `raw_input`: `/` floors ints, sockets send and
    /// receive `str`.
    pub python2: bool,
}

pub fn parse(source: &str) -> Result<Program, Box<CompileError>> {
    let mut parser =
        Parser { toks: tokenize(source)?, pos: 0, depth: 0, python2: false, line_offset: 0, bound: Vec::new() };
    let mut body = Vec::new();
    while !matches!(parser.peek(), Tok::End) {
        parser.statement(&mut body)?;
    }
    Ok(Program { body, python2: parser.python2 })
}

struct Parser {
    toks: Vec<Token>,
    pos: usize,
    depth: u32,
    python2: bool,
    /// Added to token lines: an f-string field is parsed from its own text.
    line_offset: u32,
    /// The names bound so far in the function being parsed (see [`Function::bound`]).
    bound: Vec<Name>,
}

fn is_keyword(name: &str) -> bool {
    KEYWORDS.contains(&name) || matches!(name, "with" | "yield")
}

type Parsed<T> = Result<T, Box<CompileError>>;

impl Parser {
    fn peek(&self) -> &Tok {
        &self.toks[self.pos.min(self.toks.len() - 1)].tok
    }

    fn peek_at(&self, ahead: usize) -> &Tok {
        &self.toks[(self.pos + ahead).min(self.toks.len() - 1)].tok
    }

    fn line(&self) -> u32 {
        self.toks[self.pos.min(self.toks.len() - 1)].line + self.line_offset
    }

    fn error_here(&self, message: &'static str) -> Box<CompileError> {
        let token = &self.toks[self.pos.min(self.toks.len() - 1)];
        CompileError::syntax(token.line + self.line_offset, token.col, message)
    }

    fn invalid(&self) -> Box<CompileError> {
        self.error_here("invalid syntax")
    }

    fn at(&self, op: &str) -> bool {
        matches!(self.peek(), Tok::Op(o) if *o == op)
    }

    fn eat(&mut self, op: &str) -> bool {
        let found = self.at(op);
        self.pos += usize::from(found);
        found
    }

    fn expect(&mut self, op: &str) -> Parsed<()> {
        if self.eat(op) {
            return Ok(());
        }
        Err(self.error_here(match op {
            ":" => "expected ':'",
            "(" => "expected '('",
            ")" => "expected ')'",
            "]" => "expected ']'",
            "}" => "expected '}'",
            "=" => "expected '='",
            _ => "invalid syntax",
        }))
    }

    fn at_kw(&self, kw: &str) -> bool {
        matches!(self.peek(), Tok::Name(n) if &**n == kw)
    }

    fn eat_kw(&mut self, kw: &str) -> bool {
        let found = self.at_kw(kw);
        self.pos += usize::from(found);
        found
    }

    fn expect_kw(&mut self, kw: &str) -> Parsed<()> {
        if self.eat_kw(kw) {
            Ok(())
        } else {
            Err(self.invalid())
        }
    }

    fn name(&mut self) -> Parsed<Name> {
        match self.peek() {
            Tok::Name(name) if !is_keyword(name) => {
                let name = name.clone();
                self.pos += 1;
                Ok(name)
            }
            _ => Err(self.invalid()),
        }
    }

    /// Notes that the function being parsed binds `name`.
    fn bind(&mut self, name: &Name) {
        if !self.bound.contains(name) {
            self.bound.push(name.clone());
        }
    }

    /// A name that the statement binds.
    fn bound_name(&mut self) -> Parsed<Name> {
        let name = self.name()?;
        self.bind(&name);
        Ok(name)
    }

    /// Enters one more level of nesting.
    fn nest(&mut self, levels: u32) -> Parsed<()> {
        self.depth += levels;
        if self.depth > MAX_DEPTH {
            let line = self.line();
            return Err(CompileError::new("RecursionError", line, 0, "too many nested parentheses or blocks"));
        }
        Ok(())
    }

    fn end_of_statement(&mut self) -> Parsed<()> {
        match self.peek() {
            Tok::Newline => {
                self.pos += 1;
                Ok(())
            }
            Tok::End => Ok(()),
            _ => Err(self.invalid()),
        }
    }

    // ---- Statements -----------------------------------------------------------------------

    /// One statement line (several simple statements split by `;` count as one line).
    fn statement(&mut self, out: &mut Vec<Stmt>) -> Parsed<()> {
        let line = self.line();
        let keyword = match self.peek() {
            Tok::Name(name) => name.clone(),
            Tok::Indent => return Err(CompileError::new("IndentationError", line, 1, "unexpected indent")),
            _ => "".into(),
        };
        let kind = match &*keyword {
            "if" => self.if_statement()?,
            "while" => {
                self.pos += 1;
                let test = self.test()?;
                let body = self.block("expected an indented block after 'while' statement", line)?;
                let orelse = self.else_block()?;
                StmtKind::While(test, body, orelse)
            }
            "for" => {
                self.pos += 1;
                let target = self.target_list()?;
                self.expect_kw("in")?;
                let iter = self.test_list()?;
                let body = self.block("expected an indented block after 'for' statement", line)?;
                let orelse = self.else_block()?;
                StmtKind::For(target, iter, body, orelse)
            }
            "try" => self.try_statement(line)?,
            "with" => {
                self.pos += 1;
                let mut items = Vec::new();
                loop {
                    let manager = self.test()?;
                    let target = if self.eat_kw("as") { Some(self.target()?) } else { None };
                    items.push((manager, target));
                    if !self.eat(",") {
                        break;
                    }
                }
                StmtKind::With(items, self.block("expected an indented block after 'with' statement", line)?)
            }
            "def" => StmtKind::Def(self.def(Vec::new())?),
            "class" => self.class(Vec::new())?,
            "async" => {
                return Err(CompileError::new("NotImplementedError", line, 1, "socksim does not run async code"))
            }
            _ if self.at("@") => {
                let mut decorators = Vec::new();
                while self.eat("@") {
                    decorators.push(self.test()?);
                    self.end_of_statement()?;
                }
                match self.peek() {
                    Tok::Name(n) if &**n == "def" => StmtKind::Def(self.def(decorators)?),
                    Tok::Name(n) if &**n == "class" => self.class(decorators)?,
                    _ => return Err(self.invalid()),
                }
            }
            _ => {
                loop {
                    let line = self.line();
                    let kind = self.simple_statement()?;
                    out.push(Stmt { line, kind });
                    if !self.eat(";") || matches!(self.peek(), Tok::Newline | Tok::End) {
                        break;
                    }
                }
                return self.end_of_statement();
            }
        };
        out.push(Stmt { line, kind });
        Ok(())
    }

    /// `:` then an indented block, or simple statements on the same line. `missing` is the error
    /// when the block is not there (`line` is the header's, which the error names).
    fn block(&mut self, missing: &'static str, line: u32) -> Parsed<Vec<Stmt>> {
        self.expect(":")?;
        self.nest(1)?;
        let mut body = Vec::new();
        if matches!(self.peek(), Tok::Newline) {
            self.pos += 1;
            if !matches!(self.peek(), Tok::Indent) {
                let here = self.line();
                let message = format!("{missing} on line {line}");
                return Err(CompileError::new("IndentationError", here, 1, message));
            }
            self.pos += 1;
            while !matches!(self.peek(), Tok::Dedent | Tok::End) {
                self.statement(&mut body)?;
            }
            self.pos += 1;
        } else {
            self.statement(&mut body)?;
        }
        self.depth -= 1;
        Ok(body)
    }

    fn else_block(&mut self) -> Parsed<Vec<Stmt>> {
        let line = self.line();
        if self.eat_kw("else") {
            return self.block("expected an indented block after 'else' statement", line);
        }
        Ok(Vec::new())
    }

    fn if_statement(&mut self) -> Parsed<StmtKind> {
        let mut branches = Vec::new();
        loop {
            let line = self.line();
            self.pos += 1; // `if` or `elif`
            let test = self.test()?;
            let missing = if branches.is_empty() {
                "expected an indented block after 'if' statement"
            } else {
                "expected an indented block after 'elif' statement"
            };
            branches.push((test, self.block(missing, line)?));
            if !self.at_kw("elif") {
                return Ok(StmtKind::If(branches, self.else_block()?));
            }
        }
    }

    fn try_statement(&mut self, line: u32) -> Parsed<StmtKind> {
        self.pos += 1;
        let body = self.block("expected an indented block after 'try' statement", line)?;
        let mut handlers = Vec::new();
        while self.at_kw("except") {
            let line = self.line();
            self.pos += 1;
            let mut handler = Handler { line, class: None, name: None, body: Vec::new() };
            if !self.at(":") {
                handler.class = Some(self.test()?);
                if self.eat_kw("as") {
                    handler.name = Some(self.bound_name()?);
                } else if self.eat(",") {
                    self.python2 = true;
                    handler.name = Some(self.bound_name()?);
                }
            }
            handler.body = self.block("expected an indented block after 'except' statement", line)?;
            handlers.push(handler);
        }
        let orelse = if handlers.is_empty() { Vec::new() } else { self.else_block()? };
        let line = self.line();
        let finally = if self.eat_kw("finally") {
            self.block("expected an indented block after 'finally' statement", line)?
        } else {
            Vec::new()
        };
        if handlers.is_empty() && finally.is_empty() {
            return Err(self.error_here("expected 'except' or 'finally' block"));
        }
        Ok(StmtKind::Try { body, handlers, orelse, finally })
    }

    fn def(&mut self, decorators: Vec<Expr>) -> Parsed<Rc<Function>> {
        let line = self.line();
        self.pos += 1;
        let name = self.bound_name()?;
        self.expect("(")?;
        let params = self.params(")")?;
        self.expect(")")?;
        if self.eat("->") {
            self.test()?;
        }
        let outer = core::mem::take(&mut self.bound);
        // (A syntax error ends the parse: the names need no restoring then.)
        let body = self.block("expected an indented block after function definition", line)?;
        let bound = core::mem::replace(&mut self.bound, outer);
        Ok(Rc::new(Function { name, params, body, bound, line, decorators }))
    }

    fn class(&mut self, decorators: Vec<Expr>) -> Parsed<StmtKind> {
        let line = self.line();
        self.pos += 1;
        let name = self.bound_name()?;
        let mut bases = Vec::new();
        if self.eat("(") {
            while !self.at(")") {
                bases.push(self.test()?);
                if !self.eat(",") {
                    break;
                }
            }
            self.expect(")")?;
        }
        // A class body's names are its own, not the function's around it.
        let outer = core::mem::take(&mut self.bound);
        let body = self.block("expected an indented block after class definition", line)?;
        self.bound = outer;
        Ok(StmtKind::Class { name, bases, body, decorators })
    }

    /// Parameters up to `end` (`)` for a def, `:` for a lambda).
    fn params(&mut self, end: &str) -> Parsed<Vec<Param>> {
        let mut params: Vec<Param> = Vec::new();
        let mut keyword_only = false;
        while !self.at(end) {
            let (kind, name) = if self.eat("**") {
                (ParamKind::StarStar, self.name()?)
            } else if self.eat("*") {
                keyword_only = true;
                if self.at(",") {
                    self.pos += 1;
                    continue;
                }
                (ParamKind::Star, self.name()?)
            } else if self.eat("/") {
                if !self.eat(",") {
                    break;
                }
                continue;
            } else {
                (if keyword_only { ParamKind::KeywordOnly } else { ParamKind::Normal }, self.name()?)
            };
            if end == ")" && self.eat(":") {
                self.test()?;
            }
            let default = if self.eat("=") { Some(self.test()?) } else { None };
            if default.is_none()
                && kind == ParamKind::Normal
                && params.iter().any(|p| p.kind == ParamKind::Normal && p.default.is_some())
            {
                return Err(self.error_here("non-default argument follows default argument"));
            }
            if params.iter().any(|p| p.name == name) {
                return Err(self.error_here("duplicate argument in function definition"));
            }
            params.push(Param { name, kind, default });
            if !self.eat(",") {
                break;
            }
        }
        Ok(params)
    }

    fn simple_statement(&mut self) -> Parsed<StmtKind> {
        let Tok::Name(keyword) = self.peek() else {
            return self.expression_statement();
        };
        let keyword = keyword.clone();
        let kind = match &*keyword {
            "pass" => StmtKind::Pass,
            "break" => StmtKind::Break,
            "continue" => StmtKind::Continue,
            "return" => {
                self.pos += 1;
                return Ok(StmtKind::Return(if self.at_end() { None } else { Some(self.test_list()?) }));
            }
            "raise" => {
                self.pos += 1;
                if self.at_end() {
                    return Ok(StmtKind::Raise(None, None));
                }
                let mut exception = self.test()?;
                if self.eat(",") {
                    // Python 2: raise E, "message"
                    self.python2 = true;
                    let message = self.test()?;
                    exception = Expr::Call(Box::new((exception, vec![Arg::Positional(message)])));
                }
                let cause = if self.eat_kw("from") { Some(self.test()?) } else { None };
                return Ok(StmtKind::Raise(Some(exception), cause));
            }
            "global" | "nonlocal" => {
                self.pos += 1;
                let mut names = vec![self.name()?];
                while self.eat(",") {
                    names.push(self.name()?);
                }
                return Ok(if &*keyword == "global" { StmtKind::Global(names) } else { StmtKind::Nonlocal(names) });
            }
            "del" => {
                self.pos += 1;
                let Expr::Tuple(targets) = self.target_tuple()? else { unreachable!() };
                return Ok(StmtKind::Del(*targets));
            }
            "assert" => {
                self.pos += 1;
                let test = self.test()?;
                let message = if self.eat(",") { Some(self.test()?) } else { None };
                return Ok(StmtKind::Assert(test, message));
            }
            "import" => {
                self.pos += 1;
                let mut names = Vec::new();
                loop {
                    let name = self.dotted_name()?;
                    let alias = if self.eat_kw("as") { Some(self.name()?) } else { None };
                    self.bind(&alias.clone().unwrap_or_else(|| name.split('.').next().unwrap_or(&name).into()));
                    names.push((name, alias));
                    if !self.eat(",") {
                        return Ok(StmtKind::Import(names));
                    }
                }
            }
            "from" => {
                self.pos += 1;
                if self.at(".") {
                    let line = self.line();
                    return Err(CompileError::new(
                        "NotImplementedError",
                        line,
                        0,
                        "relative imports are not supported by socksim",
                    ));
                }
                let module = self.dotted_name()?;
                self.expect_kw("import")?;
                if self.eat("*") {
                    return Ok(StmtKind::ImportFrom(module, Vec::new()));
                }
                let parens = self.eat("(");
                let mut names = Vec::new();
                loop {
                    let name = self.name()?;
                    let alias = if self.eat_kw("as") { Some(self.name()?) } else { None };
                    self.bind(alias.as_ref().unwrap_or(&name));
                    names.push((name, alias));
                    if !self.eat(",") || (parens && self.at(")")) {
                        break;
                    }
                }
                if parens {
                    self.expect(")")?;
                }
                return Ok(StmtKind::ImportFrom(module, names));
            }
            "print" if self.is_print_statement() => return self.print_statement(),
            "yield" | "await" | "exec" => {
                let line = self.line();
                let message = match &*keyword {
                    "yield" => "generators (yield) are not supported by socksim",
                    "await" => "socksim does not run async code",
                    _ => "the exec statement is not supported by socksim",
                };
                return Err(CompileError::new("NotImplementedError", line, 0, message));
            }
            _ => return self.expression_statement(),
        };
        self.pos += 1;
        Ok(kind)
    }

    fn at_end(&self) -> bool {
        matches!(self.peek(), Tok::Newline | Tok::End) || self.at(";")
    }

    fn dotted_name(&mut self) -> Parsed<Name> {
        let mut name = self.name()?.to_string();
        while self.eat(".") {
            name.push('.');
            name.push_str(&self.name()?);
        }
        Ok(name.into())
    }

    /// `print` followed by something that is not a call or an assignment: Python 2's statement.
    fn is_print_statement(&self) -> bool {
        match self.peek_at(1) {
            Tok::Newline | Tok::End => true,
            Tok::Op(op) => matches!(*op, "-" | "+" | "~" | "[" | "{" | ">>" | ";"),
            Tok::Name(name) => !matches!(&**name, "if" | "and" | "or" | "in" | "is" | "not" | "for"),
            _ => true,
        }
    }

    /// `print x, y`, `print x,` (no newline), `print >>stream, x`, `print`.
    fn print_statement(&mut self) -> Parsed<StmtKind> {
        self.python2 = true;
        self.pos += 1;
        let mut args = Vec::new();
        if self.eat(">>") {
            let stream = self.test()?;
            args.push(Arg::Keyword("file".into(), stream));
            if !self.eat(",") {
                return Ok(StmtKind::Expr(print_call(args)));
            }
        }
        let mut newline = true;
        while !self.at_end() {
            args.push(Arg::Positional(self.test()?));
            newline = !self.eat(",");
        }
        if !newline {
            args.push(Arg::Keyword("end".into(), constant(Value::Str(" ".into()))));
        }
        Ok(StmtKind::Expr(print_call(args)))
    }

    fn expression_statement(&mut self) -> Parsed<StmtKind> {
        let first = self.star_test_list()?;
        if let Tok::Op(op) = self.peek() {
            if let Some(&(.., operator)) = op.strip_suffix('=').and_then(binary_operator) {
                self.pos += 1;
                check_target(&first, self, false)?;
                if matches!(first, Expr::Tuple(_) | Expr::List(_)) {
                    return Err(self.error_here("'tuple' is an illegal expression for augmented assignment"));
                }
                return Ok(StmtKind::AugAssign(first, operator, self.test_list()?));
            }
        }
        if self.at(":") {
            // An annotated assignment: the annotation is read and ignored.
            check_target(&first, self, false)?;
            self.pos += 1;
            self.test()?;
            if !self.eat("=") {
                return Ok(StmtKind::Pass);
            }
            return Ok(StmtKind::Assign(vec![first], self.star_test_list()?));
        }
        if !self.at("=") {
            return Ok(StmtKind::Expr(first));
        }
        let mut targets = vec![first];
        while self.eat("=") {
            targets.push(self.star_test_list()?);
        }
        let value = targets.pop().expect("one value");
        for target in &targets {
            check_target(target, self, false)?;
        }
        Ok(StmtKind::Assign(targets, value))
    }

    // ---- Expressions ----------------------------------------------------------------------

    /// `a, b, *c` as a tuple, or one expression.
    fn star_test_list(&mut self) -> Parsed<Expr> {
        self.list_of(Self::star_test)
    }

    fn test_list(&mut self) -> Parsed<Expr> {
        self.list_of(Self::test)
    }

    fn list_of(&mut self, item: fn(&mut Self) -> Parsed<Expr>) -> Parsed<Expr> {
        let first = item(self)?;
        if !self.at(",") {
            return Ok(first);
        }
        let mut items = vec![first];
        while self.eat(",") {
            if self.at_end() || self.at("=") || self.at(")") || self.at("]") || self.at(":") || self.at_kw("in") {
                break;
            }
            items.push(item(self)?);
        }
        Ok(Expr::Tuple(Box::new(items)))
    }

    fn star_test(&mut self) -> Parsed<Expr> {
        if self.at("*") {
            return self.star_or();
        }
        self.test()
    }

    /// An operand of `|` or weaker operators, or one starred: an item of a `for` or `del` target.
    fn star_or(&mut self) -> Parsed<Expr> {
        let starred = self.eat("*");
        let value = self.binary(1)?;
        Ok(if starred { Expr::Starred(Box::new(value)) } else { value })
    }

    /// Assignment targets of `for` and `del`: expressions up to `in`, never a comparison.
    fn target_list(&mut self) -> Parsed<Expr> {
        let target = self.list_of(Self::star_or)?;
        check_target(&target, self, false)?;
        Ok(target)
    }

    fn target_tuple(&mut self) -> Parsed<Expr> {
        Ok(match self.target_list()? {
            Expr::Tuple(items) => Expr::Tuple(items),
            one => Expr::Tuple(Box::new(vec![one])),
        })
    }

    fn target(&mut self) -> Parsed<Expr> {
        let target = self.binary(1)?;
        check_target(&target, self, false)?;
        Ok(target)
    }

    pub fn test(&mut self) -> Parsed<Expr> {
        self.nest(1)?;
        let expr = self.test_inner();
        self.depth -= 1;
        expr
    }

    fn test_inner(&mut self) -> Parsed<Expr> {
        if self.eat_kw("lambda") {
            let line = self.line();
            let params = self.params(":")?;
            self.expect(":")?;
            let outer = core::mem::take(&mut self.bound);
            let body = self.test()?;
            let bound = core::mem::replace(&mut self.bound, outer);
            let body = vec![Stmt { line, kind: StmtKind::Return(Some(body)) }];
            return Ok(Expr::Lambda(Rc::new(Function {
                name: "<lambda>".into(),
                params,
                body,
                bound,
                line,
                decorators: Vec::new(),
            })));
        }
        let value = self.or_test()?;
        if !self.at_kw("if") {
            return Ok(value);
        }
        self.pos += 1;
        let test = self.or_test()?;
        self.expect_kw("else")?;
        let otherwise = self.test()?;
        Ok(Expr::IfElse(Box::new([test, value, otherwise])))
    }

    fn or_test(&mut self) -> Parsed<Expr> {
        self.logic("or", Self::and_test)
    }

    fn and_test(&mut self) -> Parsed<Expr> {
        self.logic("and", Self::not_test)
    }

    fn logic(&mut self, keyword: &str, operand: fn(&mut Self) -> Parsed<Expr>) -> Parsed<Expr> {
        let mut left = operand(self)?;
        let depth = self.depth;
        while self.eat_kw(keyword) {
            self.nest(1)?;
            let right = operand(self)?;
            left = Expr::Logic(keyword == "and", Box::new(left), Box::new(right));
        }
        self.depth = depth;
        Ok(left)
    }

    fn not_test(&mut self) -> Parsed<Expr> {
        if self.eat_kw("not") {
            self.nest(1)?;
            let operand = self.not_test()?;
            self.depth -= 1;
            return Ok(Expr::Unary(UnOp::Not, Box::new(operand)));
        }
        self.comparison()
    }

    fn comparison(&mut self) -> Parsed<Expr> {
        let first = self.binary(1)?;
        let mut rest = Vec::new();
        loop {
            let op = match self.peek() {
                Tok::Op(op) => match COMPARISONS.iter().find(|(text, _)| text == op) {
                    Some(&(_, operator)) => operator,
                    None => break,
                },
                Tok::Name(n) if &**n == "in" => CmpOp::In,
                Tok::Name(n) if &**n == "is" => {
                    if matches!(self.peek_at(1), Tok::Name(n) if &**n == "not") {
                        self.pos += 1;
                        CmpOp::IsNot
                    } else {
                        CmpOp::Is
                    }
                }
                Tok::Name(n) if &**n == "not" && matches!(self.peek_at(1), Tok::Name(n) if &**n == "in") => {
                    self.pos += 1;
                    CmpOp::NotIn
                }
                _ => break,
            };
            self.pos += 1;
            rest.push((op, self.binary(1)?));
        }
        if rest.is_empty() {
            return Ok(first);
        }
        Ok(Expr::Compare(Box::new((first, rest))))
    }

    /// Binary operators of precedence `min` or more (see [`BINARY_OPERATORS`]), by precedence climbing.
    fn binary(&mut self, min: u8) -> Parsed<Expr> {
        let mut left = self.factor()?;
        let depth = self.depth;
        while let Tok::Op(op) = self.peek() {
            let Some(&(_, precedence, operator)) = binary_operator(op) else { break };
            if precedence < min {
                break;
            }
            self.pos += 1;
            self.nest(1)?;
            let right = self.binary(precedence + 1)?;
            left = Expr::Binary(operator, Box::new(left), Box::new(right));
        }
        self.depth = depth;
        Ok(left)
    }

    fn factor(&mut self) -> Parsed<Expr> {
        let op = match self.peek() {
            Tok::Op("-") => UnOp::Neg,
            Tok::Op("+") => UnOp::Pos,
            Tok::Op("~") => UnOp::Invert,
            _ => return self.power(),
        };
        self.pos += 1;
        self.nest(1)?;
        let mut operand = self.factor()?;
        self.depth -= 1;
        // A negative number is a constant.
        let negated = match (op, &mut operand) {
            (UnOp::Neg, Expr::Const(value)) => match &mut **value {
                Value::Int(n) => {
                    *n = -*n;
                    true
                }
                Value::Float(f) => {
                    *f = -*f;
                    true
                }
                _ => false,
            },
            _ => false,
        };
        Ok(if negated { operand } else { Expr::Unary(op, Box::new(operand)) })
    }

    fn power(&mut self) -> Parsed<Expr> {
        let base = self.primary()?;
        if !self.eat("**") {
            return Ok(base);
        }
        self.nest(1)?;
        let exponent = self.factor()?;
        self.depth -= 1;
        Ok(Expr::Binary(BinOp::Pow, Box::new(base), Box::new(exponent)))
    }

    fn primary(&mut self) -> Parsed<Expr> {
        let mut value = self.atom()?;
        let depth = self.depth;
        loop {
            if self.eat(".") {
                value = Expr::Attr(Box::new((value, self.name()?)));
            } else if self.eat("(") {
                value = Expr::Call(Box::new((value, self.call_args()?)));
            } else if self.eat("[") {
                value = self.subscript(value)?;
            } else {
                break;
            }
            self.nest(1)?;
        }
        self.depth = depth;
        Ok(value)
    }

    fn call_args(&mut self) -> Parsed<Vec<Arg>> {
        let mut args = Vec::new();
        while !self.at(")") {
            let arg = if self.eat("**") {
                Arg::StarStar(self.test()?)
            } else if self.eat("*") {
                Arg::Star(self.test()?)
            } else if matches!(self.peek(), Tok::Name(_)) && matches!(self.peek_at(1), Tok::Op("=")) {
                let name = self.name()?;
                self.pos += 1;
                Arg::Keyword(name, self.test()?)
            } else {
                let value = self.test()?;
                if self.at_kw("for") {
                    let comprehension = self.comprehension(value, false)?;
                    args.push(Arg::Positional(comprehension));
                    break;
                }
                if matches!(args.last(), Some(Arg::Keyword(..) | Arg::StarStar(_))) {
                    return Err(self.error_here("positional argument follows keyword argument"));
                }
                Arg::Positional(value)
            };
            args.push(arg);
            if !self.eat(",") {
                break;
            }
        }
        self.expect(")")?;
        Ok(args)
    }

    fn subscript(&mut self, value: Expr) -> Parsed<Expr> {
        let mut parts: [Option<Expr>; 3] = [None, None, None];
        if !self.at(":") {
            let index = self.test_list()?;
            if !self.at(":") {
                self.expect("]")?;
                return Ok(Expr::Index(Box::new(value), Box::new(index)));
            }
            parts[0] = Some(index);
        }
        for part in &mut parts[1..] {
            if self.eat(":") && !self.at(":") && !self.at("]") {
                *part = Some(self.test()?);
            }
        }
        self.expect("]")?;
        Ok(Expr::Slice(Box::new(value), Box::new(parts)))
    }

    fn atom(&mut self) -> Parsed<Expr> {
        let line = self.line();
        let value = match self.peek() {
            Tok::Str(_) | Tok::Bytes(_) | Tok::FStr(_) => return self.strings(),
            Tok::Int(n) => constant(Value::Int(*n)),
            Tok::Float(f) => constant(Value::Float(*f)),
            Tok::Op("(") => {
                self.pos += 1;
                if self.eat(")") {
                    return Ok(Expr::Tuple(Box::default()));
                }
                let first = self.star_test()?;
                if !self.at(",") && !self.at_kw("for") {
                    self.expect(")")?;
                    return Ok(first);
                }
                return self.display(first, ")", |items| Expr::Tuple(Box::new(items)));
            }
            Tok::Op("[") => {
                self.pos += 1;
                if self.eat("]") {
                    return Ok(Expr::List(Box::default()));
                }
                let first = self.star_test()?;
                return self.display(first, "]", |items| Expr::List(Box::new(items)));
            }
            Tok::Op("{") => {
                self.pos += 1;
                return self.braces();
            }
            Tok::Op("...") => constant(Value::Native(Native::Ellipsis)),
            Tok::Name(name) => match &**name {
                "None" => constant(Value::None),
                "True" => constant(Value::Bool(true)),
                "False" => constant(Value::Bool(false)),
                "yield" | "await" => {
                    return Err(CompileError::new(
                        "NotImplementedError",
                        line,
                        0,
                        "generators (yield) are not supported by socksim",
                    ))
                }
                _ if is_keyword(name) => return Err(self.invalid()),
                "raw_input" => {
                    let name = name.clone();
                    self.python2 = true;
                    Expr::Name(name)
                }
                _ => Expr::Name(name.clone()),
            },
            _ => return Err(self.invalid()),
        };
        self.pos += 1;
        Ok(value)
    }

    /// Adjacent string literals, joined: `'a' 'b'`, `'x' f'{y}'`.
    fn strings(&mut self) -> Parsed<Expr> {
        let mut parts: Vec<FormatPart> = Vec::new();
        let mut bytes: Option<Vec<u8>> = None;
        let mut formatted = false;
        loop {
            match self.peek() {
                Tok::Str(text) if bytes.is_none() => parts.push(FormatPart::Text(text.clone())),
                Tok::Bytes(data) if parts.is_empty() => bytes.get_or_insert_with(Vec::new).extend_from_slice(data),
                Tok::FStr(pieces) if bytes.is_none() => {
                    formatted = true;
                    for piece in pieces {
                        parts.push(format_part(piece, self.depth)?);
                    }
                }
                Tok::Str(_) | Tok::Bytes(_) | Tok::FStr(_) => {
                    return Err(self.error_here("cannot mix bytes and nonbytes literals"))
                }
                _ => break,
            }
            self.pos += 1;
        }
        if let Some(data) = bytes {
            return Ok(constant(Value::Bytes(data.into())));
        }
        if !formatted {
            let mut text = String::new();
            for part in &parts {
                if let FormatPart::Text(piece) = part {
                    text.push_str(piece);
                }
            }
            return Ok(constant(Value::Str(text.into())));
        }
        Ok(Expr::Format(Box::new(parts)))
    }

    /// A tuple, list or set display after its `first` item, up to its `close` bracket: the other
    /// items, made into one by `make`, or the comprehension's clauses.
    fn display(&mut self, first: Expr, close: &str, make: fn(Vec<Expr>) -> Expr) -> Parsed<Expr> {
        if self.at_kw("for") {
            let comprehension = self.comprehension(first, close == "}")?;
            self.expect(close)?;
            return Ok(comprehension);
        }
        let mut items = vec![first];
        while self.eat(",") && !self.at(close) {
            items.push(self.star_test()?);
        }
        self.expect(close)?;
        Ok(make(items))
    }

    fn braces(&mut self) -> Parsed<Expr> {
        if self.eat("}") {
            return Ok(Expr::Dict(Box::default()));
        }
        let first = self.star_test()?;
        if !self.eat(":") {
            return self.display(first, "}", |items| Expr::Set(Box::new(items)));
        }
        let value = self.test()?;
        if self.at_kw("for") {
            let Expr::ListComp(comprehension) = self.comprehension(constant(Value::None), false)? else {
                unreachable!()
            };
            self.expect("}")?;
            return Ok(Expr::DictComp(Box::new((first, value, comprehension.1))));
        }
        let mut pairs = vec![(first, value)];
        while self.eat(",") && !self.at("}") {
            let key = self.test()?;
            self.expect(":")?;
            pairs.push((key, self.test()?));
        }
        self.expect("}")?;
        Ok(Expr::Dict(Box::new(pairs)))
    }

    /// The `for … in … if …` clauses after `element`.
    fn comprehension(&mut self, element: Expr, set: bool) -> Parsed<Expr> {
        let mut clauses = Vec::new();
        while self.eat_kw("for") {
            let target = self.target_list()?;
            self.expect_kw("in")?;
            let iter = self.or_test()?;
            let mut conditions = Vec::new();
            while self.eat_kw("if") {
                conditions.push(self.or_test()?);
            }
            clauses.push(Comprehension { target, iter, conditions });
        }
        let comprehension = Box::new((element, clauses));
        Ok(if set { Expr::SetComp(comprehension) } else { Expr::ListComp(comprehension) })
    }
}

/// A piece of an f-string, its field's expression parsed (at nesting `depth`) from its own text.
fn format_part(piece: &FPart, depth: u32) -> Parsed<FormatPart> {
    Ok(match piece {
        FPart::Text(text) => FormatPart::Text(text.as_str().into()),
        FPart::Field { source, line, col, conversion, spec } => {
            let line = *line;
            let tokens = tokenize(source.trim()).map_err(|error| error.on_line(line))?;
            let mut inner =
                Parser { toks: tokens, pos: 0, depth, python2: false, line_offset: line - 1, bound: Vec::new() };
            let value = inner.test_list().map_err(|error| error.on_line(line))?;
            if !matches!(inner.peek(), Tok::Newline | Tok::End) {
                return Err(CompileError::syntax(line, *col, "f-string: expecting '}'"));
            }
            let mut parts = Vec::new();
            for part in spec {
                parts.push(format_part(part, depth)?);
            }
            FormatPart::Field { value, conversion: *conversion, spec: parts }
        }
    })
}

fn print_call(args: Vec<Arg>) -> Expr {
    Expr::Call(Box::new((Expr::Name("print".into()), args)))
}

fn constant(value: Value) -> Expr {
    Expr::Const(Box::new(value))
}

/// The comparison operators written with symbols.
const COMPARISONS: [(&str, CmpOp); 6] =
    [("==", CmpOp::Eq), ("!=", CmpOp::Ne), ("<", CmpOp::Lt), ("<=", CmpOp::Le), (">", CmpOp::Gt), (">=", CmpOp::Ge)];

/// The binary operators: text, precedence and meaning. `**` binds tighter than unary minus and is
/// read apart, by [`Parser::power`]; its precedence is 0 so that [`Parser::binary`] never takes it.
const BINARY_OPERATORS: [(&str, u8, BinOp); 12] = [
    ("|", 1, BinOp::BitOr),
    ("^", 2, BinOp::BitXor),
    ("&", 3, BinOp::BitAnd),
    ("<<", 4, BinOp::LShift),
    (">>", 4, BinOp::RShift),
    ("+", 5, BinOp::Add),
    ("-", 5, BinOp::Sub),
    ("*", 6, BinOp::Mul),
    ("/", 6, BinOp::Div),
    ("//", 6, BinOp::FloorDiv),
    ("%", 6, BinOp::Mod),
    ("**", 0, BinOp::Pow),
];

/// The binary operator written `op`, if it is one.
fn binary_operator(op: &str) -> Option<&'static (&'static str, u8, BinOp)> {
    BINARY_OPERATORS.iter().find(|(text, ..)| *text == op)
}

/// Refuses what cannot be assigned to, with CPython's words, and notes the names bound.
fn check_target(target: &Expr, parser: &mut Parser, starred: bool) -> Parsed<()> {
    let message = match target {
        Expr::Name(name) => {
            parser.bind(name);
            return Ok(());
        }
        Expr::Attr(..) | Expr::Index(..) | Expr::Slice(..) => return Ok(()),
        Expr::Tuple(items) | Expr::List(items) => {
            for item in items.iter() {
                check_target(item, parser, true)?;
            }
            return Ok(());
        }
        Expr::Starred(inner) if starred => return check_target(inner, parser, false),
        Expr::Starred(_) => "starred assignment target must be in a list or tuple",
        Expr::Const(_) | Expr::Format(_) => "cannot assign to literal",
        Expr::Call(..) => "cannot assign to function call",
        Expr::Compare(..) => "cannot assign to comparison",
        Expr::Lambda(_) => "cannot assign to lambda",
        _ => "cannot assign to expression",
    };
    let token = &parser.toks[parser.pos.saturating_sub(1).min(parser.toks.len() - 1)];
    Err(CompileError::syntax(token.line + parser.line_offset, 0, message))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn statement(source: &str) -> StmtKind {
        parse(source).unwrap().body.remove(0).kind
    }

    #[test]
    fn precedence() {
        let StmtKind::Expr(Expr::Binary(BinOp::Add, _, right)) = statement("1 + 2 * 3\n") else { panic!() };
        assert!(matches!(*right, Expr::Binary(BinOp::Mul, ..)));
        let StmtKind::Expr(Expr::Unary(UnOp::Neg, inner)) = statement("-2 ** 2") else { panic!() };
        assert!(matches!(*inner, Expr::Binary(BinOp::Pow, ..)));
        let StmtKind::Expr(Expr::Logic(false, _, right)) = statement("a or b and not c") else { panic!() };
        assert!(matches!(*right, Expr::Logic(true, ..)));
    }

    #[test]
    fn statements() {
        assert!(matches!(statement("a, b = b, a"), StmtKind::Assign(..)));
        assert!(matches!(statement("x += 1"), StmtKind::AugAssign(_, BinOp::Add, _)));
        assert!(
            matches!(statement("if a:\n  b\nelif c:\n  d\nelse:\n  e\n"), StmtKind::If(ref b, ref e) if b.len() == 2 && e.len() == 1)
        );
        assert!(matches!(
            statement("try:\n pass\nexcept OSError as e:\n pass\nfinally:\n pass\n"),
            StmtKind::Try { .. }
        ));
        assert!(
            matches!(statement("with socket() as s, x:\n  pass"), StmtKind::With(ref items, _) if items.len() == 2)
        );
        assert!(matches!(statement("from socket import *"), StmtKind::ImportFrom(_, ref names) if names.is_empty()));
        assert!(matches!(statement("x = [i * 2 for i in range(3) if i]"), StmtKind::Assign(_, Expr::ListComp(..))));
        assert!(matches!(statement("d = {k: v for k, v in items}"), StmtKind::Assign(_, Expr::DictComp(..))));
        assert!(matches!(statement("s[1:2]"), StmtKind::Expr(Expr::Slice(..))));
        assert!(matches!(statement("f(a, *b, c=1, **d)"), StmtKind::Expr(Expr::Call(ref call)) if call.1.len() == 4));
    }

    #[test]
    fn python2_is_recognised() {
        let program = parse("print 'hello', x\n").unwrap();
        assert!(program.python2);
        let program = parse("print('hello')\n").unwrap();
        assert!(!program.python2);
        assert!(parse("try:\n pass\nexcept OSError, e:\n pass\n").unwrap().python2);
        assert!(parse("x = raw_input('> ')").unwrap().python2);
    }

    #[test]
    fn syntax_errors_name_their_line() {
        for (source, line, message) in [
            ("x = 1\nif x = 2:\n  pass\n", 2, "expected ':'"),
            ("x = (1,\n", 1, "'(' was never closed"),
            ("def f():\nreturn 1\n", 2, "expected an indented block after function definition on line 1"),
            ("1 = x", 1, "cannot assign to literal"),
            ("f() = 3", 1, "cannot assign to function call"),
            ("x = yield 3", 1, "generators (yield) are not supported by socksim"),
            ("  x = 1", 1, "unexpected indent"),
        ] {
            let error = parse(source).err().unwrap_or_else(|| panic!("{source:?} parses"));
            assert_eq!((error.line, error.message.as_ref()), (line, message), "{source:?}");
        }
    }

    #[test]
    fn deep_nesting_is_refused_not_overflowed() {
        let source = format!("x = {}1{}", "(".repeat(5000), ")".repeat(5000));
        assert_eq!(parse(&source).err().unwrap().kind, "RecursionError");
        let source = format!("x = 1{}", " + 1".repeat(5000));
        assert_eq!(parse(&source).err().unwrap().kind, "RecursionError");
        let source = format!("x = {}1", "-".repeat(5000));
        assert_eq!(parse(&source).err().unwrap().kind, "RecursionError");
    }
}
