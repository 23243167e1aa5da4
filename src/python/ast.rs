//! The syntax tree the parser builds and the compiler reads.
//!
//! Statements carry their line (a traceback names the line of the statement running, or of the
//! header of the `if`/`while`/`for` being tested); expressions do not. Nesting is bounded by the
//! parser, so every walk over this tree may recurse.

use std::rc::Rc;

pub type Name = Rc<str>;

#[derive(Clone, Copy, PartialEq, Eq)]
#[cfg_attr(test, derive(Debug))]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    FloorDiv,
    Mod,
    Pow,
    LShift,
    RShift,
    BitAnd,
    BitOr,
    BitXor,
    /// `/` in a Python 2 program: floor division when both sides are ints.
    ClassicDiv,
}

#[derive(Clone, Copy, PartialEq, Eq)]
#[cfg_attr(test, derive(Debug))]
pub enum UnOp {
    Neg,
    Pos,
    Invert,
    Not,
}

#[derive(Clone, Copy, PartialEq, Eq)]
#[cfg_attr(test, derive(Debug))]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    In,
    NotIn,
    Is,
    IsNot,
}

#[cfg_attr(test, derive(Debug))]
pub enum Const {
    None,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(Rc<str>),
    Bytes(Rc<[u8]>),
    Ellipsis,
}

#[cfg_attr(test, derive(Debug))]
pub enum Expr {
    Name(Name),
    Const(Const),
    /// An f-string: literal pieces and formatted fields.
    Format(Vec<FormatPart>),
    Tuple(Vec<Expr>),
    List(Vec<Expr>),
    Set(Vec<Expr>),
    Dict(Vec<(Expr, Expr)>),
    Attr(Box<Expr>, Name),
    Index(Box<Expr>, Box<Expr>),
    /// `value[start:stop:step]`.
    Slice(Box<Expr>, Box<[Option<Expr>; 3]>),
    Call(Box<Expr>, Vec<Arg>),
    Unary(UnOp, Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// `and` (true) or `or` (false).
    Logic(bool, Box<Expr>, Box<Expr>),
    Compare(Box<Expr>, Vec<(CmpOp, Expr)>),
    /// `then if test else otherwise`: (test, then, otherwise).
    IfElse(Box<[Expr; 3]>),
    Lambda(Rc<Function>),
    /// `[element for … in … if …]`, also generator expressions (built as lists).
    ListComp(Box<Expr>, Vec<Comprehension>),
    SetComp(Box<Expr>, Vec<Comprehension>),
    DictComp(Box<(Expr, Expr)>, Vec<Comprehension>),
    /// `*value` in a call's arguments or a list display.
    Starred(Box<Expr>),
}

#[cfg_attr(test, derive(Debug))]
pub enum FormatPart {
    Text(Rc<str>),
    Field { value: Expr, conversion: u8, spec: Vec<FormatPart> },
}

#[cfg_attr(test, derive(Debug))]
pub struct Comprehension {
    pub target: Expr,
    pub iter: Expr,
    pub conditions: Vec<Expr>,
}

#[cfg_attr(test, derive(Debug))]
pub enum Arg {
    Positional(Expr),
    Star(Expr),
    Keyword(Name, Expr),
    StarStar(Expr),
}

#[derive(Clone, Copy, PartialEq, Eq)]
#[cfg_attr(test, derive(Debug))]
pub enum ParamKind {
    Normal,
    /// `*args`.
    Star,
    /// After a `*` or `*args`: passed by name only.
    KeywordOnly,
    /// `**kwargs`.
    StarStar,
}

#[cfg_attr(test, derive(Debug))]
pub struct Param {
    pub name: Name,
    pub kind: ParamKind,
    pub default: Option<Expr>,
}

/// A `def` or a `lambda`.
#[cfg_attr(test, derive(Debug))]
pub struct Function {
    pub name: Name,
    pub params: Vec<Param>,
    pub body: Vec<Stmt>,
    /// The names its body binds (assigns, imports, defines…), which the parser gathers: with
    /// the parameters, its locals.
    pub bound: Vec<Name>,
    pub line: u32,
    pub decorators: Vec<Expr>,
}

#[cfg_attr(test, derive(Debug))]
pub struct Handler {
    pub line: u32,
    pub class: Option<Expr>,
    pub name: Option<Name>,
    pub body: Vec<Stmt>,
}

#[cfg_attr(test, derive(Debug))]
pub struct Stmt {
    pub line: u32,
    pub kind: StmtKind,
}

#[cfg_attr(test, derive(Debug))]
pub enum StmtKind {
    Expr(Expr),
    /// `a = b = value`: every target, then the value.
    Assign(Vec<Expr>, Expr),
    AugAssign(Expr, BinOp, Expr),
    /// `if`/`elif` branches, then `else`.
    If(Vec<(Expr, Vec<Stmt>)>, Vec<Stmt>),
    While(Expr, Vec<Stmt>, Vec<Stmt>),
    For(Expr, Expr, Vec<Stmt>, Vec<Stmt>),
    Break,
    Continue,
    Pass,
    Return(Option<Expr>),
    Def(Rc<Function>),
    Class {
        name: Name,
        bases: Vec<Expr>,
        body: Vec<Stmt>,
        decorators: Vec<Expr>,
    },
    Try {
        body: Vec<Stmt>,
        handlers: Vec<Handler>,
        orelse: Vec<Stmt>,
        finally: Vec<Stmt>,
    },
    With(Vec<(Expr, Option<Expr>)>, Vec<Stmt>),
    Raise(Option<Expr>, Option<Expr>),
    /// `import a.b as c`: the dotted name and what it binds.
    Import(Vec<(Name, Option<Name>)>),
    /// `from module import a as b, c` (an empty list is `import *`).
    ImportFrom(Name, Vec<(Name, Option<Name>)>),
    Global(Vec<Name>),
    Nonlocal(Vec<Name>),
    Del(Vec<Expr>),
    Assert(Expr, Option<Expr>),
}
