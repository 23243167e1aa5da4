//! The compiler: a syntax tree to bytecode.
//!
//! This module owns scoping and control flow. A function's locals are the names it binds (not
//! declared `global`); names it reads from the functions around it become cells shared through
//! closures; everything else is a module global, reached by slot, falling back to the builtins.
//! Comprehensions run in the scope around them (as in Python 2). `break`, `continue` and `return`
//! leave `try`/`with` blocks by running their `finally` bodies and `__exit__` calls inline.

use std::rc::Rc;

use super::ast::*;
use super::code::{Code, CodeKind, Op, Source};
use super::parser::Program;
use super::traceback::CompileError;
use super::value::Value;

type Compiled<T> = Result<T, Box<CompileError>>;

/// Compiles a module. Returns its code and the names of its global slots, in slot order.
pub fn compile(program: &Program, source: Rc<Source>) -> Compiled<(Rc<Code>, Vec<Rc<str>>)> {
    let mut compiler = Compiler {
        unit: Unit::new(CodeKind::Module, "<module>".into(), Vec::new()),
        outer: Vec::new(),
        globals: Vec::new(),
        source,
        python2: program.python2,
    };
    compiler.block(&program.body)?;
    compiler.emit_const(Value::None);
    compiler.emit(Op::Return);
    let code = compiler.unit.into_code(compiler.source);
    Ok((code, compiler.globals))
}

/// What a `break`, `continue` or `return` must undo on its way out.
enum Block<'a> {
    /// A loop; `for` loops keep their iterator on the stack. Breaks to patch.
    Loop { start: usize, iterator: bool, breaks: Vec<usize> },
    /// A `try` body protected by `except` clauses.
    Except,
    /// A `try` body (or its `except`/`else` parts) with a `finally`.
    Finally(&'a [Stmt]),
    /// A `with` body: the context manager is on the stack.
    With,
}

/// One code object being built.
struct Unit<'a> {
    kind: CodeKind,
    name: Rc<str>,
    qualname: Rc<str>,
    ops: Vec<Op>,
    lines: Vec<u32>,
    consts: Vec<Value>,
    names: Vec<Rc<str>>,
    codes: Vec<Rc<Code>>,
    locals: Vec<Rc<str>>,
    /// Names bound in this function (its locals, before temporaries are added).
    bound: Vec<Rc<str>>,
    declared_global: Vec<Rc<str>>,
    declared_nonlocal: Vec<Rc<str>>,
    cells: Vec<u16>,
    free: Vec<Rc<str>>,
    blocks: Vec<Block<'a>>,
    /// The slots holding the exceptions of the `except` bodies being compiled (for bare `raise`).
    handling: Vec<u32>,
    line: u32,
    positional: u16,
    keyword_only: u16,
    star: bool,
    star_star: bool,
}

impl Unit<'_> {
    fn new(kind: CodeKind, name: Rc<str>, locals: Vec<Rc<str>>) -> Self {
        Unit {
            kind,
            qualname: name.clone(),
            name,
            ops: Vec::new(),
            lines: Vec::new(),
            consts: Vec::new(),
            names: Vec::new(),
            codes: Vec::new(),
            bound: locals.clone(),
            locals,
            declared_global: Vec::new(),
            declared_nonlocal: Vec::new(),
            cells: Vec::new(),
            free: Vec::new(),
            blocks: Vec::new(),
            handling: Vec::new(),
            line: 0,
            positional: 0,
            keyword_only: 0,
            star: false,
            star_star: false,
        }
    }

    /// The finished code object, for the program `source`.
    fn into_code(mut self, source: Rc<Source>) -> Rc<Code> {
        // Locals read by inner functions live in cells.
        for op in &mut self.ops {
            *op = match *op {
                Op::LoadLocal(slot) if self.cells.contains(&(slot as u16)) => Op::LoadCell(slot),
                Op::StoreLocal(slot) if self.cells.contains(&(slot as u16)) => Op::StoreCell(slot),
                other => other,
            };
        }
        Rc::new(Code {
            name: self.name,
            qualname: self.qualname,
            kind: self.kind,
            source,
            ops: self.ops,
            lines: self.lines,
            consts: self.consts,
            names: self.names,
            codes: self.codes,
            locals: self.locals,
            positional: self.positional,
            keyword_only: self.keyword_only,
            star: self.star,
            star_star: self.star_star,
            cells: self.cells,
            free: self.free,
        })
    }
}

struct Compiler<'a> {
    /// The code object being built.
    unit: Unit<'a>,
    /// The ones around it, the module first.
    outer: Vec<Unit<'a>>,
    globals: Vec<Rc<str>>,
    source: Rc<Source>,
    python2: bool,
}

fn position(names: &[Rc<str>], name: &str) -> Option<usize> {
    names.iter().position(|n| &**n == name)
}

fn intern(names: &mut Vec<Rc<str>>, name: &str) -> u32 {
    (position(names, name).unwrap_or_else(|| {
        names.push(name.into());
        names.len() - 1
    })) as u32
}

/// How a name is reached from the code being compiled.
enum Place {
    Local(u32),
    Free(u32),
    Global(u32),
    Name(u32),
}

impl<'a> Compiler<'a> {
    fn error(&self, kind: &'static str, message: &'static str) -> Box<CompileError> {
        CompileError::new(kind, self.unit.line, 0, message)
    }

    fn emit(&mut self, op: Op) -> usize {
        let unit = &mut self.unit;
        let line = unit.line;
        unit.ops.push(op);
        unit.lines.push(line);
        unit.ops.len() - 1
    }

    fn here(&mut self) -> usize {
        self.unit.ops.len()
    }

    /// Points the jump at `at` to the next instruction.
    fn patch(&mut self, at: usize) {
        let target = self.here() as u32;
        self.patch_to(at, target);
    }

    fn patch_to(&mut self, at: usize, target: u32) {
        let op = &mut self.unit.ops[at];
        *op = match *op {
            Op::Jump(_) => Op::Jump(target),
            Op::JumpIfFalse(_) => Op::JumpIfFalse(target),
            Op::JumpIfTrue(_) => Op::JumpIfTrue(target),
            Op::JumpIfFalseElsePop(_) => Op::JumpIfFalseElsePop(target),
            Op::JumpIfTrueElsePop(_) => Op::JumpIfTrueElsePop(target),
            Op::ForIter(_) => Op::ForIter(target),
            Op::SetupExcept(_) => Op::SetupExcept(target),
            other => other,
        };
    }

    fn emit_const(&mut self, value: Value) {
        let unit = &mut self.unit;
        unit.consts.push(value);
        let index = unit.consts.len() as u32 - 1;
        self.emit(Op::Const(index));
    }

    fn name_index(&mut self, name: &str) -> u32 {
        intern(&mut self.unit.names, name)
    }

    /// A new hidden local slot.
    fn temp(&mut self) -> u32 {
        let unit = &mut self.unit;
        unit.locals.push("".into());
        unit.locals.len() as u32 - 1
    }

    /// Starts building a nested code object, inside the one being built.
    fn enter(&mut self, unit: Unit<'a>) {
        let outer = std::mem::replace(&mut self.unit, unit);
        self.outer.push(outer);
    }

    /// The nested code object built, and back to the one around it.
    fn finish_unit(&mut self) -> Rc<Code> {
        let outer = self.outer.pop().expect("a unit around the nested one");
        std::mem::replace(&mut self.unit, outer).into_code(self.source.clone())
    }

    /// `Outer.name` in a class body, `outer.<locals>.name` in a function.
    fn qualname(&self, name: &str) -> Rc<str> {
        match self.unit.kind {
            CodeKind::Module => name.into(),
            CodeKind::Class => format!("{}.{name}", self.unit.qualname).into(),
            CodeKind::Function => format!("{}.<locals>.{name}", self.unit.qualname).into(),
        }
    }

    // ---- Names ------------------------------------------------------------------------------

    fn place(&mut self, name: &str) -> Place {
        let unit = &self.unit;
        match unit.kind {
            CodeKind::Module => return Place::Global(intern(&mut self.globals, name)),
            CodeKind::Class => return Place::Name(intern(&mut self.unit.names, name)),
            CodeKind::Function => {}
        }
        if position(&unit.declared_global, name).is_some() {
            return Place::Global(intern(&mut self.globals, name));
        }
        let nonlocal = position(&unit.declared_nonlocal, name).is_some();
        if !nonlocal {
            if let Some(slot) = position(&unit.bound, name) {
                return Place::Local(slot as u32);
            }
        }
        if let Some(slot) = position(&unit.free, name) {
            return Place::Free(slot as u32);
        }
        // A local of an enclosing function (class bodies do not count)?
        let owner = self.outer.iter().rposition(|outer| {
            outer.kind == CodeKind::Function
                && position(&outer.declared_global, name).is_none()
                && (position(&outer.bound, name).is_some() || position(&outer.declared_nonlocal, name).is_some())
        });
        let Some(owner) = owner else {
            return Place::Global(intern(&mut self.globals, name));
        };
        let owner_unit = &mut self.outer[owner];
        if let Some(slot) = position(&owner_unit.bound, name) {
            if position(&owner_unit.declared_nonlocal, name).is_none() {
                let cells = &mut owner_unit.cells;
                if !cells.contains(&(slot as u16)) {
                    cells.push(slot as u16);
                }
            }
        }
        for outer in &mut self.outer[owner + 1..] {
            if outer.kind == CodeKind::Function {
                intern(&mut outer.free, name);
            }
        }
        Place::Free(intern(&mut self.unit.free, name))
    }

    fn load(&mut self, name: &str) {
        let op = match self.place(name) {
            Place::Local(slot) => Op::LoadLocal(slot),
            Place::Free(index) => Op::LoadFree(index),
            Place::Global(slot) => Op::LoadGlobal(slot),
            Place::Name(index) => Op::LoadName(index),
        };
        self.emit(op);
    }

    fn store(&mut self, name: &str) {
        let op = match self.place(name) {
            Place::Local(slot) => Op::StoreLocal(slot),
            Place::Free(index) => Op::StoreFree(index),
            Place::Global(slot) => Op::StoreGlobal(slot),
            Place::Name(index) => Op::StoreName(index),
        };
        self.emit(op);
    }

    fn delete(&mut self, name: &str) -> Compiled<()> {
        let op = match self.place(name) {
            Place::Local(slot) => Op::DeleteLocal(slot),
            Place::Global(slot) => Op::DeleteGlobal(slot),
            Place::Free(_) | Place::Name(_) => {
                return Err(self.error("NotImplementedError", "socksim cannot delete this variable"))
            }
        };
        self.emit(op);
        Ok(())
    }

    // ---- Statements -------------------------------------------------------------------------

    fn block(&mut self, body: &'a [Stmt]) -> Compiled<()> {
        for stmt in body {
            self.statement(stmt)?;
        }
        Ok(())
    }

    fn statement(&mut self, stmt: &'a Stmt) -> Compiled<()> {
        self.unit.line = stmt.line;
        match &stmt.kind {
            StmtKind::Expr(expr) => {
                self.expr(expr)?;
                self.emit(Op::Pop);
            }
            StmtKind::Assign(targets, value) => {
                self.expr(value)?;
                for (i, target) in targets.iter().enumerate() {
                    if i + 1 < targets.len() {
                        self.emit(Op::Copy(0));
                    }
                    self.assign(target)?;
                }
            }
            StmtKind::AugAssign(target, op, value) => self.augmented(target, *op, value)?,
            StmtKind::If(branches, orelse) => {
                let mut ends = Vec::new();
                for (test, body) in branches {
                    self.expr(test)?;
                    let skip = self.emit(Op::JumpIfFalse(0));
                    self.block(body)?;
                    ends.push(self.emit(Op::Jump(0)));
                    self.patch(skip);
                }
                self.block(orelse)?;
                for end in ends {
                    self.patch(end);
                }
            }
            StmtKind::While(test, body, orelse) => {
                let start = self.here();
                let exit = match test {
                    Expr::Const(value) if matches!(**value, Value::Bool(true)) => None,
                    _ => {
                        self.expr(test)?;
                        Some(self.emit(Op::JumpIfFalse(0)))
                    }
                };
                self.loop_body(start, false, body)?;
                let breaks = self.end_loop();
                self.emit(Op::Jump(start as u32));
                if let Some(exit) = exit {
                    self.patch(exit);
                }
                self.block(orelse)?;
                for at in breaks {
                    self.patch(at);
                }
            }
            StmtKind::For(target, iter, body, orelse) => {
                self.expr(iter)?;
                self.emit(Op::GetIter);
                let start = self.here();
                let exit = self.emit(Op::ForIter(0));
                self.assign(target)?;
                self.loop_body(start, true, body)?;
                let breaks = self.end_loop();
                self.emit(Op::Jump(start as u32));
                self.patch(exit);
                self.block(orelse)?;
                for at in breaks {
                    self.patch(at);
                }
            }
            StmtKind::Break | StmtKind::Continue => {
                let is_break = matches!(stmt.kind, StmtKind::Break);
                let Some(loop_at) = self.unit.blocks.iter().rposition(|b| matches!(b, Block::Loop { .. })) else {
                    return Err(self.error(
                        "SyntaxError",
                        if is_break { "'break' outside loop" } else { "'continue' not properly in loop" },
                    ));
                };
                self.unwind(loop_at + 1)?;
                let Block::Loop { start, iterator, .. } = self.unit.blocks[loop_at] else { unreachable!() };
                if is_break {
                    if iterator {
                        self.emit(Op::Pop);
                    }
                    let at = self.emit(Op::Jump(0));
                    if let Block::Loop { breaks, .. } = &mut self.unit.blocks[loop_at] {
                        breaks.push(at);
                    }
                } else {
                    self.emit(Op::Jump(start as u32));
                }
            }
            StmtKind::Pass => {}
            StmtKind::Return(value) => {
                if self.unit.kind != CodeKind::Function {
                    return Err(self.error("SyntaxError", "'return' outside function"));
                }
                match value {
                    Some(value) => self.expr(value)?,
                    None => self.emit_const(Value::None),
                }
                if self.unit.blocks.is_empty() {
                    self.emit(Op::Return);
                } else {
                    let slot = self.temp();
                    self.emit(Op::StoreLocal(slot));
                    self.unwind(0)?;
                    self.emit(Op::LoadLocal(slot));
                    self.emit(Op::Return);
                }
            }
            StmtKind::Def(function) => {
                for decorator in &function.decorators {
                    self.expr(decorator)?;
                }
                self.function(function)?;
                for _ in &function.decorators {
                    self.emit(Op::Call(1));
                }
                self.store(&function.name);
            }
            StmtKind::Class { name, bases, body, decorators } => {
                for decorator in decorators {
                    self.expr(decorator)?;
                }
                match bases.as_slice() {
                    [] => self.emit_const(Value::None),
                    [base] => self.expr(base)?,
                    _ => return Err(self.error("NotImplementedError", "socksim classes have one base class at most")),
                }
                let mut unit = Unit::new(CodeKind::Class, name.clone(), Vec::new());
                unit.qualname = self.qualname(name);
                self.enter(unit);
                self.unit.line = stmt.line;
                self.block(body)?;
                self.emit_const(Value::None);
                self.emit(Op::Return);
                let code = self.finish_unit();
                let unit = &mut self.unit;
                unit.codes.push(code);
                let index = unit.codes.len() as u32 - 1;
                self.emit(Op::MakeClass(index));
                for _ in decorators {
                    self.emit(Op::Call(1));
                }
                self.store(name);
            }
            StmtKind::Try { body, handlers, orelse, finally } => self.try_statement(body, handlers, orelse, finally)?,
            StmtKind::With(items, body) => self.with(items, body)?,
            StmtKind::Raise(exception, cause) => match (exception, cause) {
                (None, _) => match self.unit.handling.last() {
                    Some(&slot) => {
                        self.emit(Op::LoadLocal(slot));
                        self.emit(Op::Reraise);
                    }
                    None => {
                        self.emit(Op::Raise(0));
                    }
                },
                (Some(exception), None) => {
                    self.expr(exception)?;
                    self.emit(Op::Raise(1));
                }
                (Some(exception), Some(cause)) => {
                    self.expr(exception)?;
                    self.expr(cause)?;
                    self.emit(Op::Raise(2));
                }
            },
            StmtKind::Import(names) => {
                for (name, alias) in names {
                    let index = self.name_index(name);
                    self.emit(Op::Import(index, alias.is_some()));
                    let bound = alias.clone().unwrap_or_else(|| name.split('.').next().unwrap_or(name).into());
                    self.store(&bound);
                }
            }
            StmtKind::ImportFrom(module, names) => {
                let index = self.name_index(module);
                self.emit(Op::Import(index, true));
                if names.is_empty() {
                    if self.unit.kind != CodeKind::Module {
                        return Err(self.error("SyntaxError", "import * only allowed at module level"));
                    }
                    self.emit(Op::ImportStar);
                    return Ok(());
                }
                for (name, alias) in names {
                    self.emit(Op::Copy(0));
                    let index = self.name_index(name);
                    self.emit(Op::ImportFrom(index));
                    self.store(alias.as_ref().unwrap_or(name));
                }
                self.emit(Op::Pop);
            }
            StmtKind::Global(names) => {
                for name in names {
                    self.unit.declared_global.push(name.clone());
                }
            }
            StmtKind::Nonlocal(names) => {
                if self.unit.kind != CodeKind::Function {
                    return Err(self.error("SyntaxError", "nonlocal declaration not allowed at module level"));
                }
                for name in names {
                    self.unit.declared_nonlocal.push(name.clone());
                }
            }
            StmtKind::Del(targets) => {
                for target in targets {
                    match target {
                        Expr::Name(name) => self.delete(name)?,
                        Expr::Index(value, index) => {
                            self.expr(value)?;
                            self.expr(index)?;
                            self.emit(Op::DeleteIndex);
                        }
                        Expr::Attr(attr) => {
                            let (value, name) = &**attr;
                            self.expr(value)?;
                            let index = self.name_index(name);
                            self.emit(Op::DeleteAttr(index));
                        }
                        _ => return Err(self.error("NotImplementedError", "socksim cannot delete this")),
                    }
                }
            }
            StmtKind::Assert(test, message) => {
                self.expr(test)?;
                let ok = self.emit(Op::JumpIfTrue(0));
                self.load("AssertionError");
                match message {
                    Some(message) => {
                        self.expr(message)?;
                        self.emit(Op::Call(1));
                    }
                    None => {
                        self.emit(Op::Call(0));
                    }
                }
                self.emit(Op::Raise(1));
                self.patch(ok);
            }
        }
        Ok(())
    }

    fn loop_body(&mut self, start: usize, iterator: bool, body: &'a [Stmt]) -> Compiled<()> {
        self.unit.blocks.push(Block::Loop { start, iterator, breaks: Vec::new() });
        self.block(body)
    }

    fn end_loop(&mut self) -> Vec<usize> {
        match self.unit.blocks.pop() {
            Some(Block::Loop { breaks, .. }) => breaks,
            _ => Vec::new(),
        }
    }

    /// Leaves every block from the innermost down to `keep` (which stays): pops handlers, runs
    /// `finally` bodies and `__exit__` calls, drops `for` iterators.
    fn unwind(&mut self, keep: usize) -> Compiled<()> {
        let saved = self.unit.line;
        let mut taken = Vec::new();
        while self.unit.blocks.len() > keep {
            let block = self.unit.blocks.pop().expect("a block");
            match &block {
                Block::Loop { iterator: true, .. } => {
                    self.emit(Op::Pop);
                }
                Block::Loop { .. } => {}
                Block::Except => {
                    self.emit(Op::PopBlock);
                }
                Block::Finally(body) => {
                    self.emit(Op::PopBlock);
                    self.block(body)?;
                    self.unit.line = saved;
                }
                Block::With => {
                    self.emit(Op::PopBlock);
                    self.exit_normally();
                }
            }
            taken.push(block);
        }
        while let Some(block) = taken.pop() {
            self.unit.blocks.push(block);
        }
        Ok(())
    }

    /// Calls `__exit__(None, None, None)` on the context manager on top of the stack.
    fn exit_normally(&mut self) {
        for _ in 0..3 {
            self.emit_const(Value::None);
        }
        let exit = self.name_index("__exit__");
        self.emit(Op::CallMethod(exit, 3));
        self.emit(Op::Pop);
    }

    fn try_statement(
        &mut self,
        body: &'a [Stmt],
        handlers: &'a [Handler],
        orelse: &'a [Stmt],
        finally: &'a [Stmt],
    ) -> Compiled<()> {
        let line = self.unit.line;
        let finally_setup = if finally.is_empty() {
            None
        } else {
            let at = self.emit(Op::SetupExcept(0));
            self.unit.blocks.push(Block::Finally(finally));
            Some(at)
        };
        let mut ends = Vec::new();
        if handlers.is_empty() {
            self.block(body)?;
        } else {
            let setup = self.emit(Op::SetupExcept(0));
            self.unit.blocks.push(Block::Except);
            self.block(body)?;
            self.unit.blocks.pop();
            self.emit(Op::PopBlock);
            self.block(orelse)?;
            ends.push(self.emit(Op::Jump(0)));
            self.patch(setup);
            self.unit.line = handlers[0].line;
            let exception = self.temp();
            self.emit(Op::StoreLocal(exception));
            for handler in handlers {
                self.unit.line = handler.line;
                let mut next = None;
                if let Some(class) = &handler.class {
                    self.emit(Op::LoadLocal(exception));
                    self.expr(class)?;
                    self.emit(Op::ExceptionMatches);
                    next = Some(self.emit(Op::JumpIfFalse(0)));
                }
                if let Some(name) = &handler.name {
                    self.emit(Op::LoadLocal(exception));
                    self.store(name);
                }
                self.unit.handling.push(exception);
                self.block(&handler.body)?;
                self.unit.handling.pop();
                ends.push(self.emit(Op::Jump(0)));
                if let Some(next) = next {
                    self.patch(next);
                }
            }
            self.emit(Op::LoadLocal(exception));
            self.emit(Op::Reraise);
        }
        for end in ends {
            self.patch(end);
        }
        if let Some(setup) = finally_setup {
            self.unit.blocks.pop();
            self.emit(Op::PopBlock);
            self.block(finally)?;
            let end = self.emit(Op::Jump(0));
            self.patch(setup);
            self.unit.line = line;
            let exception = self.temp();
            self.emit(Op::StoreLocal(exception));
            self.block(finally)?;
            self.emit(Op::LoadLocal(exception));
            self.emit(Op::Reraise);
            self.patch(end);
        }
        Ok(())
    }

    fn with(&mut self, items: &'a [(Expr, Option<Expr>)], body: &'a [Stmt]) -> Compiled<()> {
        let Some(((manager, target), rest)) = items.split_first() else {
            return self.block(body);
        };
        let line = self.unit.line;
        self.expr(manager)?;
        self.emit(Op::Copy(0));
        let enter = self.name_index("__enter__");
        self.emit(Op::CallMethod(enter, 0));
        match target {
            Some(target) => self.assign(target)?,
            None => {
                self.emit(Op::Pop);
            }
        }
        let setup = self.emit(Op::SetupExcept(0));
        self.unit.blocks.push(Block::With);
        self.with(rest, body)?;
        self.unit.blocks.pop();
        self.unit.line = line;
        self.emit(Op::PopBlock);
        self.exit_normally();
        let end = self.emit(Op::Jump(0));
        self.patch(setup);
        let exception = self.temp();
        self.emit(Op::StoreLocal(exception));
        self.emit(Op::LoadLocal(exception));
        self.emit(Op::ExitArguments);
        let exit = self.name_index("__exit__");
        self.emit(Op::CallMethod(exit, 3));
        let suppressed = self.emit(Op::JumpIfTrue(0));
        self.emit(Op::LoadLocal(exception));
        self.emit(Op::Reraise);
        self.patch(suppressed);
        self.patch(end);
        Ok(())
    }

    fn assign(&mut self, target: &'a Expr) -> Compiled<()> {
        match target {
            Expr::Name(name) => self.store(name),
            Expr::Attr(attr) => {
                let (value, name) = &**attr;
                self.expr(value)?;
                let index = self.name_index(name);
                self.emit(Op::StoreAttr(index));
            }
            Expr::Index(value, index) => {
                self.expr(value)?;
                self.expr(index)?;
                self.emit(Op::StoreIndex);
            }
            Expr::Tuple(items) | Expr::List(items) => {
                match items.iter().position(|item| matches!(item, Expr::Starred(_))) {
                    None => self.emit(Op::Unpack(items.len() as u32)),
                    Some(star) => self.emit(Op::UnpackStar(star as u16, (items.len() - star - 1) as u16)),
                };
                for item in items.iter() {
                    match item {
                        Expr::Starred(inner) => self.assign(inner)?,
                        _ => self.assign(item)?,
                    }
                }
            }
            _ => return Err(self.error("NotImplementedError", "socksim cannot assign to this (slices, for one)")),
        }
        Ok(())
    }

    fn augmented(&mut self, target: &'a Expr, op: BinOp, value: &'a Expr) -> Compiled<()> {
        let op = self.division(op);
        match target {
            Expr::Name(name) => {
                self.load(name);
                self.expr(value)?;
                self.emit(Op::InPlace(op));
                self.store(name);
            }
            Expr::Attr(attr) => {
                let (object, name) = &**attr;
                self.expr(object)?;
                self.emit(Op::Copy(0));
                let index = self.name_index(name);
                self.emit(Op::LoadAttr(index));
                self.expr(value)?;
                self.emit(Op::InPlace(op));
                self.emit(Op::Swap);
                self.emit(Op::StoreAttr(index));
            }
            Expr::Index(object, index) => {
                self.expr(object)?;
                self.expr(index)?;
                self.emit(Op::Copy(1));
                self.emit(Op::Copy(1));
                self.emit(Op::LoadIndex);
                self.expr(value)?;
                self.emit(Op::InPlace(op));
                self.emit(Op::RotThree);
                self.emit(Op::StoreIndex);
            }
            _ => return Err(self.error("SyntaxError", "illegal expression for augmented assignment")),
        }
        Ok(())
    }

    fn division(&self, op: BinOp) -> BinOp {
        if op == BinOp::Div && self.python2 {
            BinOp::ClassicDiv
        } else {
            op
        }
    }

    /// Compiles a `def` or `lambda` and leaves the function on the stack.
    fn function(&mut self, function: &'a Function) -> Compiled<()> {
        let mut flags = 0;
        // The defaults of positional parameters, as a tuple; of keyword-only ones, as a dict.
        for keyword in [false, true] {
            let kind = if keyword { ParamKind::KeywordOnly } else { ParamKind::Normal };
            let mut count = 0;
            for param in &function.params {
                let (true, Some(default)) = (param.kind == kind, &param.default) else { continue };
                if keyword {
                    self.emit_const(Value::Str(param.name.clone()));
                }
                self.expr(default)?;
                count += 1;
            }
            if count > 0 {
                self.emit(if keyword { Op::BuildDict(count) } else { Op::BuildTuple(count) });
                flags |= 1 << u8::from(keyword);
            }
        }
        // Parameters in slot order: positional, keyword-only, *args, **kwargs.
        let mut locals: Vec<Rc<str>> = Vec::new();
        let mut counts = [0u16; 4];
        for (i, kind) in
            [ParamKind::Normal, ParamKind::KeywordOnly, ParamKind::Star, ParamKind::StarStar].iter().enumerate()
        {
            for param in &function.params {
                if param.kind == *kind {
                    locals.push(param.name.clone());
                    counts[i] += 1;
                }
            }
        }
        let mut unit = Unit::new(CodeKind::Function, function.name.clone(), locals);
        unit.positional = counts[0];
        unit.keyword_only = counts[1];
        unit.star = counts[2] > 0;
        unit.star_star = counts[3] > 0;
        for name in &function.bound {
            intern(&mut unit.bound, name);
        }
        unit.locals = unit.bound.clone();
        unit.line = function.line;
        unit.qualname = self.qualname(&function.name);
        self.enter(unit);
        self.block(&function.body)?;
        self.emit_const(Value::None);
        self.emit(Op::Return);
        let free = self.unit.free.clone();
        let code = self.finish_unit();
        if !free.is_empty() {
            for name in &free {
                let op = match self.place(name) {
                    Place::Local(slot) => {
                        let cells = &mut self.unit.cells;
                        if !cells.contains(&(slot as u16)) {
                            cells.push(slot as u16);
                        }
                        Op::CellOfLocal(slot)
                    }
                    Place::Free(index) => Op::CellOfFree(index),
                    _ => return Err(self.error("SyntaxError", "no binding for nonlocal found")),
                };
                self.emit(op);
            }
            self.emit(Op::BuildTuple(free.len() as u32));
            flags |= 4;
        }
        let unit = &mut self.unit;
        unit.codes.push(code);
        let index = unit.codes.len() as u32 - 1;
        self.emit(Op::MakeFunction(index, flags));
        Ok(())
    }

    // ---- Expressions ------------------------------------------------------------------------

    fn expr(&mut self, expr: &'a Expr) -> Compiled<()> {
        match expr {
            Expr::Name(name) => self.load(name),
            Expr::Const(value) => self.emit_const((**value).clone()),
            Expr::Format(parts) => self.format(parts)?,
            Expr::Tuple(items) | Expr::List(items) | Expr::Set(items) => {
                if items.iter().any(|item| matches!(item, Expr::Starred(_))) {
                    self.emit(Op::BuildList(0));
                    for item in items.iter() {
                        match item {
                            Expr::Starred(inner) => {
                                self.expr(inner)?;
                                self.emit(Op::ListExtend);
                            }
                            _ => {
                                self.expr(item)?;
                                self.emit(Op::ListAppend(0));
                            }
                        }
                    }
                    if !matches!(expr, Expr::List(_)) {
                        let convert = if matches!(expr, Expr::Set(_)) { "set" } else { "tuple" };
                        self.load(convert);
                        self.emit(Op::Swap);
                        self.emit(Op::Call(1));
                    }
                    return Ok(());
                }
                for item in items.iter() {
                    self.expr(item)?;
                }
                let n = items.len() as u32;
                self.emit(match expr {
                    Expr::Tuple(_) => Op::BuildTuple(n),
                    Expr::List(_) => Op::BuildList(n),
                    _ => Op::BuildSet(n),
                });
            }
            Expr::Dict(pairs) => {
                for (key, value) in pairs.iter() {
                    self.expr(key)?;
                    self.expr(value)?;
                }
                self.emit(Op::BuildDict(pairs.len() as u32));
            }
            Expr::Attr(attr) => {
                let (value, name) = &**attr;
                self.expr(value)?;
                let index = self.name_index(name);
                self.emit(Op::LoadAttr(index));
            }
            Expr::Index(value, index) => {
                self.expr(value)?;
                self.expr(index)?;
                self.emit(Op::LoadIndex);
            }
            Expr::Slice(value, parts) => {
                self.expr(value)?;
                for part in parts.iter() {
                    match part {
                        Some(part) => self.expr(part)?,
                        None => self.emit_const(Value::None),
                    }
                }
                self.emit(Op::LoadSlice);
            }
            Expr::Call(call) => self.call(&call.0, &call.1)?,
            Expr::Unary(op, operand) => {
                self.expr(operand)?;
                self.emit(Op::Unary(*op));
            }
            Expr::Binary(op, left, right) => {
                self.expr(left)?;
                self.expr(right)?;
                let op = self.division(*op);
                self.emit(Op::Binary(op));
            }
            Expr::Logic(and, left, right) => {
                self.expr(left)?;
                let jump = self.emit(if *and { Op::JumpIfFalseElsePop(0) } else { Op::JumpIfTrueElsePop(0) });
                self.expr(right)?;
                self.patch(jump);
            }
            Expr::Compare(comparison) => {
                let (first, rest) = &**comparison;
                self.expr(first)?;
                let mut failures = Vec::new();
                for (i, (op, operand)) in rest.iter().enumerate() {
                    self.expr(operand)?;
                    if i + 1 == rest.len() {
                        self.emit(Op::Compare(*op));
                    } else {
                        self.emit(Op::Copy(0));
                        self.emit(Op::RotThree);
                        self.emit(Op::Compare(*op));
                        failures.push(self.emit(Op::JumpIfFalseElsePop(0)));
                    }
                }
                if !failures.is_empty() {
                    let end = self.emit(Op::Jump(0));
                    for failure in failures {
                        self.patch(failure);
                    }
                    self.emit(Op::Swap);
                    self.emit(Op::Pop);
                    self.patch(end);
                }
            }
            Expr::IfElse(parts) => {
                let [test, then, otherwise] = &**parts;
                self.expr(test)?;
                let skip = self.emit(Op::JumpIfFalse(0));
                self.expr(then)?;
                let end = self.emit(Op::Jump(0));
                self.patch(skip);
                self.expr(otherwise)?;
                self.patch(end);
            }
            Expr::Lambda(function) => self.function(function)?,
            Expr::ListComp(comprehension) | Expr::SetComp(comprehension) => {
                self.emit(if matches!(expr, Expr::ListComp(..)) { Op::BuildList(0) } else { Op::BuildSet(0) });
                self.comprehension(&comprehension.1, 0, &comprehension.0, None)?;
            }
            Expr::DictComp(comprehension) => {
                let (key, value, clauses) = &**comprehension;
                self.emit(Op::BuildDict(0));
                self.comprehension(clauses, 0, key, Some(value))?;
            }
            Expr::Starred(_) => return Err(self.error("SyntaxError", "can't use starred expression here")),
        }
        Ok(())
    }

    /// The loops of a comprehension's clauses from `index` on, around adding `element` to the
    /// list or set being built (or, with its `value`, setting it in the dict being built).
    fn comprehension(
        &mut self,
        clauses: &'a [Comprehension],
        index: usize,
        element: &'a Expr,
        value: Option<&'a Expr>,
    ) -> Compiled<()> {
        let Some(clause) = clauses.get(index) else {
            self.expr(element)?;
            let depth = clauses.len() as u32;
            match value {
                Some(value) => {
                    self.expr(value)?;
                    self.emit(Op::DictSet(depth));
                }
                None => {
                    self.emit(Op::ListAppend(depth));
                }
            }
            return Ok(());
        };
        self.expr(&clause.iter)?;
        self.emit(Op::GetIter);
        let start = self.here();
        let exit = self.emit(Op::ForIter(0));
        self.assign(&clause.target)?;
        let mut skips = Vec::new();
        for condition in &clause.conditions {
            self.expr(condition)?;
            skips.push(self.emit(Op::JumpIfFalse(0)));
        }
        self.comprehension(clauses, index + 1, element, value)?;
        for skip in skips {
            self.patch_to(skip, start as u32);
        }
        self.emit(Op::Jump(start as u32));
        self.patch(exit);
        Ok(())
    }

    fn format(&mut self, parts: &'a [FormatPart]) -> Compiled<()> {
        for part in parts {
            match part {
                FormatPart::Text(text) => self.emit_const(Value::Str(text.clone())),
                FormatPart::Field { value, conversion, spec } => {
                    self.expr(value)?;
                    if !spec.is_empty() {
                        self.format(spec)?;
                    }
                    self.emit(Op::Format(*conversion, !spec.is_empty()));
                }
            }
        }
        self.emit(Op::BuildString(parts.len() as u32));
        Ok(())
    }

    fn call(&mut self, callee: &'a Expr, args: &'a [Arg]) -> Compiled<()> {
        let positional_only = args.iter().all(|arg| matches!(arg, Arg::Positional(_)));
        if let (Expr::Attr(attr), true) = (callee, positional_only) {
            let (receiver, name) = &**attr;
            self.expr(receiver)?;
            for arg in args {
                if let Arg::Positional(value) = arg {
                    self.expr(value)?;
                }
            }
            let index = self.name_index(name);
            self.emit(Op::CallMethod(index, args.len() as u32));
            return Ok(());
        }
        self.expr(callee)?;
        if args.iter().any(|arg| matches!(arg, Arg::Star(_) | Arg::StarStar(_))) {
            self.emit(Op::BuildList(0));
            for arg in args {
                match arg {
                    Arg::Positional(value) => {
                        self.expr(value)?;
                        self.emit(Op::ListAppend(0));
                    }
                    Arg::Star(value) => {
                        self.expr(value)?;
                        self.emit(Op::ListExtend);
                    }
                    _ => {}
                }
            }
            self.emit(Op::BuildDict(0));
            for arg in args {
                match arg {
                    Arg::Keyword(name, value) => {
                        self.emit_const(Value::Str(name.clone()));
                        self.expr(value)?;
                        self.emit(Op::DictSet(0));
                    }
                    Arg::StarStar(value) => {
                        self.expr(value)?;
                        self.emit(Op::DictUpdate);
                    }
                    _ => {}
                }
            }
            self.emit(Op::CallStar);
            return Ok(());
        }
        let mut names = Vec::new();
        for arg in args {
            match arg {
                Arg::Positional(value) => self.expr(value)?,
                Arg::Keyword(name, value) => {
                    if names.iter().any(|n: &Value| matches!(n, Value::Str(n) if n == name)) {
                        return Err(self.error("SyntaxError", "keyword argument repeated"));
                    }
                    names.push(Value::Str(name.clone()));
                    self.expr(value)?;
                }
                _ => unreachable!("handled above"),
            }
        }
        if names.is_empty() {
            self.emit(Op::Call(args.len() as u32));
        } else {
            let unit = &mut self.unit;
            unit.consts.push(Value::tuple(names));
            let index = unit.consts.len() as u32 - 1;
            self.emit(Op::CallKw(args.len() as u32, index));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::python::parser::parse;

    fn compile_text(text: &str) -> Result<Rc<Code>, Box<CompileError>> {
        let source = Rc::new(Source { name: "t.py".into(), text: text.into(), hidden: false });
        compile(&parse(text)?, source).map(|(code, _)| code)
    }

    #[test]
    fn locals_and_cells() {
        let code = compile_text("def outer(a):\n    b = 1\n    def inner():\n        return a + b\n    return inner\n")
            .unwrap();
        let outer = &code.codes[0];
        assert_eq!(&*outer.name, "outer");
        assert_eq!(outer.cells.len(), 2);
        let inner = &outer.codes[0];
        assert_eq!(inner.free.len(), 2);
        assert!(inner.ops.iter().any(|op| matches!(op, Op::LoadFree(_))));
    }

    #[test]
    fn misplaced_statements_are_syntax_errors() {
        for (text, message) in [
            ("break", "'break' outside loop"),
            ("return 1", "'return' outside function"),
            ("def f():\n    from socket import *\n", "import * only allowed at module level"),
        ] {
            let error = compile_text(text).err().unwrap_or_else(|| panic!("{text} compiles"));
            assert_eq!(error.message, message);
        }
    }
}
