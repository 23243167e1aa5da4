//! Bytecode: the instructions the machine runs and the code objects that hold them.
//!
//! A [`Code`] is one compiled body — a module, a function, a class body — with its instructions,
//! the line of each, its constants and names, and how many local slots its frames need. The
//! instructions work on a value stack, as CPython's do; jumps name instruction indexes.

use std::rc::Rc;

use super::ast::{BinOp, CmpOp, UnOp};
use super::value::Value;

/// A program's text and file name, shared by its code objects for tracebacks.
pub struct Source {
    pub name: Rc<str>,
    pub text: Rc<str>,
    /// socksim's own modules (threading, logging…): left out of tracebacks and of the lines shown
    /// as running.
    pub hidden: bool,
}

/// What a code object is the body of.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum CodeKind {
    Module,
    Function,
    /// A class body: its names go into the class's namespace.
    Class,
}

/// A compiled body.
pub struct Code {
    pub name: Rc<str>,
    /// The name with the classes and functions around it (`Counter.__init__`), for messages.
    pub qualname: Rc<str>,
    pub kind: CodeKind,
    pub source: Rc<Source>,
    pub ops: Vec<Op>,
    /// The source line of each instruction.
    pub lines: Vec<u32>,
    pub consts: Vec<Value>,
    /// Names used by attribute, import and class-body instructions.
    pub names: Vec<Rc<str>>,
    /// Nested functions and class bodies.
    pub codes: Vec<Rc<Code>>,
    /// Local slots: parameters first, then the other locals, then hidden temporaries.
    pub locals: Vec<Rc<str>>,
    /// Parameters taken by position (or by name), and by name only.
    pub positional: u16,
    pub keyword_only: u16,
    /// `*args` and `**kwargs` slots follow the named parameters when present.
    pub star: bool,
    pub star_star: bool,
    /// Local slots read by inner functions: they hold cells.
    pub cells: Vec<u16>,
    /// Names this function reads from the functions around it, in closure order.
    pub free: Vec<Rc<str>>,
}

impl Code {
    /// The line of the instruction before `pc`: the one running or last run.
    pub fn line_at(&self, pc: usize) -> u32 {
        self.lines.get(pc.saturating_sub(1)).or(self.lines.first()).copied().unwrap_or(0)
    }
}

/// One instruction. Operands index the code's tables (`consts`, `names`, `locals`, `codes`) or
/// the module's globals, or are instruction indexes (jumps).
#[derive(Clone, Copy, PartialEq)]
#[cfg_attr(test, derive(Debug))]
pub enum Op {
    Const(u32),
    LoadLocal(u32),
    StoreLocal(u32),
    DeleteLocal(u32),
    /// A local slot holding a cell shared with inner functions.
    LoadCell(u32),
    StoreCell(u32),
    /// The function's closure, by index into `Code::free`.
    LoadFree(u32),
    StoreFree(u32),
    /// Pushes the cell itself (of a local slot, or of the closure) to build an inner function.
    CellOfLocal(u32),
    CellOfFree(u32),
    /// Module globals by slot; an unbound global falls back to the builtins.
    LoadGlobal(u32),
    StoreGlobal(u32),
    DeleteGlobal(u32),
    /// A class body's names (by `names` index), then the globals and builtins.
    LoadName(u32),
    StoreName(u32),
    LoadAttr(u32),
    StoreAttr(u32),
    DeleteAttr(u32),
    /// `value[index]`.
    LoadIndex,
    /// `value[index] = item` (stack: item, value, index).
    StoreIndex,
    DeleteIndex,
    /// `value[start:stop:step]` (stack: value, start, stop, step; `None` for a missing part).
    LoadSlice,
    Binary(BinOp),
    /// `+=` and friends: lists grow in place.
    InPlace(BinOp),
    Unary(UnOp),
    Compare(CmpOp),
    Jump(u32),
    /// Pops the condition.
    JumpIfFalse(u32),
    JumpIfTrue(u32),
    /// `and` / `or`: keeps the value when jumping, pops it otherwise.
    JumpIfFalseElsePop(u32),
    JumpIfTrueElsePop(u32),
    GetIter,
    /// Pushes the iterator's next item, or pops the iterator and jumps when it is exhausted.
    ForIter(u32),
    BuildTuple(u32),
    BuildList(u32),
    BuildSet(u32),
    /// Pairs of key, value.
    BuildDict(u32),
    /// Joins that many strings.
    BuildString(u32),
    /// Appends the top of the stack to the list (or set) that many places below it.
    ListAppend(u32),
    /// Stack: …, dict, …, key, value.
    DictSet(u32),
    /// Extends the list below the top with the iterable on top (`[*a, b]`, `f(*a)`).
    ListExtend,
    /// Adds the mapping on top to the dict below it (`f(**kwargs)`).
    DictUpdate,
    /// Formats the top of the stack: conversion (0, r, s, a), then whether a spec string sits above it.
    Format(u8, bool),
    /// Unpacks a sequence into exactly that many values, the first on top.
    Unpack(u32),
    /// `a, *b, c = …`: the items before and after the starred one.
    UnpackStar(u16, u16),
    /// Calls with that many positional arguments.
    Call(u32),
    /// Calls with positional arguments then keyword values; the const is the tuple of names.
    CallKw(u32, u32),
    /// Calls with a tuple of arguments and a dict of keyword arguments.
    CallStar,
    /// `receiver.name(arguments)` without building a bound method: name index, argument count.
    CallMethod(u32, u32),
    /// Makes a function from `codes[index]`; flags: 1 defaults tuple, 2 keyword defaults dict,
    /// 4 closure tuple (in that order below it on the stack).
    MakeFunction(u32, u8),
    /// Runs the class body `codes[index]` with the base (or `None`) on the stack, then pushes the class.
    MakeClass(u32),
    Return,
    Pop,
    /// Pushes a copy of the item that many places below the top (0 is the top).
    Copy(u32),
    /// Swaps the top two.
    Swap,
    /// Moves the top under the next two.
    RotThree,
    /// An exception handler: on an exception, the stack is cut to its depth now, the exception
    /// pushed, and the jump taken.
    SetupExcept(u32),
    PopBlock,
    /// Raises the exception on top (or the class, instantiated); with a cause below it when 1.
    Raise(u8),
    /// Raises the exception on top again, keeping its traceback.
    Reraise,
    /// Stack: exception, class → whether the exception is an instance of the class (or tuple).
    ExceptionMatches,
    /// Replaces the exception on top with its class, itself and None (for `__exit__`).
    ExitArguments,
    /// Imports the module `names[index]` (dotted): pushes the top-level package, or, with the
    /// flag, the module itself.
    Import(u32, bool),
    /// Pushes attribute `names[index]` of the module on top (`from m import name`).
    ImportFrom(u32),
    /// `from m import *`: binds every public name of the module on top into the globals.
    ImportStar,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_instruction_is_small() {
        assert!(core::mem::size_of::<Op>() <= 12);
    }
}
