//! The syntax tree the parser builds and the compiler reads.
//!
//! Statements carry their line (a traceback names the line of the statement running, or of the
//! header of the `if`/`while`/`for` being tested); expressions do not. Nesting is bounded by the
//! parser, so every walk over this tree may recurse.

use std::rc::Rc;

use super::value::Value;

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

pub enum Expr {
    Name(Name),
    /// A literal (boxed, as are the parts of the larger variants, to keep an `Expr` small: the
    /// parser moves many of them).
    Const(Box<Value>),
    /// An f-string: literal pieces and formatted fields.
    Format(Box<Vec<FormatPart>>),
    Tuple(Box<Vec<Expr>>),
    List(Box<Vec<Expr>>),
    Set(Box<Vec<Expr>>),
    Dict(Box<Vec<(Expr, Expr)>>),
    /// The value and the attribute's name.
    Attr(Box<(Expr, Name)>),
    Index(Box<Expr>, Box<Expr>),
    /// `value[start:stop:step]`.
    Slice(Box<Expr>, Box<[Option<Expr>; 3]>),
    /// The callee and the arguments.
    Call(Box<(Expr, Vec<Arg>)>),
    Unary(UnOp, Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// `and` (true) or `or` (false).
    Logic(bool, Box<Expr>, Box<Expr>),
    Compare(Box<(Expr, Vec<(CmpOp, Expr)>)>),
    /// `then if test else otherwise`: (test, then, otherwise).
    IfElse(Box<[Expr; 3]>),
    Lambda(Rc<Function>),
    /// `[element for … in … if …]`, also generator expressions (built as lists).
    ListComp(Box<(Expr, Vec<Comprehension>)>),
    SetComp(Box<(Expr, Vec<Comprehension>)>),
    /// The key, the value and the clauses.
    DictComp(Box<(Expr, Expr, Vec<Comprehension>)>),
    /// `*value` in a call's arguments or a list display.
    Starred(Box<Expr>),
}

pub enum FormatPart {
    Text(Rc<str>),
    Field { value: Expr, conversion: u8, spec: Vec<FormatPart> },
}

pub struct Comprehension {
    pub target: Expr,
    pub iter: Expr,
    pub conditions: Vec<Expr>,
}

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

pub struct Param {
    pub name: Name,
    pub kind: ParamKind,
    pub default: Option<Expr>,
}

/// A `def` or a `lambda`.
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

pub struct Handler {
    pub line: u32,
    pub class: Option<Expr>,
    pub name: Option<Name>,
    pub body: Vec<Stmt>,
}

pub struct Stmt {
    pub line: u32,
    pub kind: StmtKind,
}

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
