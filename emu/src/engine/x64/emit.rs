//! The x86-64 code of one block: a function `extern "sysv64" fn(cpu, context)` that runs the
//! block's instructions and returns with the CPU as the op runner leaves it.
//!
//! While it runs, host registers hold: `rbx` the CPU, `r12` the [`Context`], `r13` the RAM
//! arena, `r14` and `r15` the current mode's TLB tables for reads and writes, `rbp` the
//! instruction count at the running block's entry, `r11b` at times a condition's answer
//! ([`flags`]); the stack's top 8 bytes hold a flag write owed to slow paths, if one is.
//! Guest registers and the CPSR stay in the `Cpu` struct.
//!
//! Each instruction is native code ([`super::lower`]) or a call to the interpreter's handler
//! through [`super::call_op`], which also ends the block where the handler branched, took an
//! exception or raised attention. A load or store missing the TLB, misaligned, or outside the
//! arena calls the handler for the whole instruction, which starts it over on its own paths
//! (nothing was changed before the miss).

use dynasmrt::x64::{Rq, X64Relocation};
use dynasmrt::{dynasm, DynasmApi, DynasmLabelApi, VecAssembler};

use super::flags::{self, Host};
use super::lower::{Halfword, Native, Operand, Src, Width};
use super::{Context, Exit, Layout, Slot, Target};
use crate::cpu::alu::Shift;
use crate::cpu::psr;

type Asm = VecAssembler<X64Relocation>;

/// One instruction to compile.
pub struct Insn {
    /// Its address.
    pub pc: u32,
    /// The condition it runs under (ARM; 0xE for Thumb but B<cond>).
    pub cond: u32,
    pub native: Native,
    /// Its handler's address and its word, for a handler call.
    pub handler: usize,
    pub word: u32,
    /// With a load-use interlock maybe pending before it (at the block's start), the
    /// registers it reads.
    pub settle: Option<u32>,
    /// The registers the next instruction in the block reads, if there is one: a handler
    /// call's interlock is settled for it before going on.
    pub next: Option<u32>,
    /// The extra cycles of its native path (with the wait of the next instruction for a
    /// native load's interlock, when known) and the interlock it leaves to the next block.
    pub extra: u64,
    pub pend: u32,
}

/// Where the C flag is after an operand is computed, for the logical operations.
#[derive(Clone, Copy)]
enum Carry {
    Unchanged,
    Const(bool),
    /// 0 or 1 in `edx`.
    InEdx,
}

/// What becomes of an instruction's flag write ([`flags::live_after`]).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Flags {
    /// None, or nothing reads it.
    Skip,
    /// To the CPSR.
    Write,
    /// Only the slow paths of loads and stores may read it: kept on the stack, cheaply, and
    /// written to the CPSR on the way into one ([`Owed`]).
    Owe,
}

impl Flags {
    /// This write for an instruction whose S bit is `s`: none if it is clear.
    fn when(self, s: bool) -> Flags {
        if s {
            self
        } else {
            Flags::Skip
        }
    }
}

/// A flag write owed to slow paths: the flags `bits`, kept at `[rsp]` as `how` says.
#[derive(Clone, Copy)]
struct Owed {
    bits: u32,
    how: Owing,
}

#[derive(Clone, Copy)]
enum Owing {
    /// x86's flags after an addition or a subtraction, C made ARM's: LAHF's `ah` and SETO's
    /// `al`.
    Arithmetic,
    /// The result of a logical operation or a multiply (N and Z), and the shifter's carry-out:
    /// at `[rsp + 4]` if it was in `edx`.
    Logical(Carry),
}

/// A block's code and where its body starts (after the prologue: where chained blocks enter).
pub struct Code {
    pub bytes: Vec<u8>,
    pub body: usize,
}

/// The addresses of the functions compiled code calls, their instances for the bus: `call_op`
/// and `fill_code_page`.
#[derive(Clone, Copy)]
pub struct Helpers {
    pub call: usize,
    pub fill: usize,
}

/// The code of a block of `thumb` or ARM instructions, calling `helpers`; `slot` gives the address of a fresh chain slot for an exit to a
/// constant address in the block's own page, if one is to be had.
pub fn block(
    insns: &[Insn],
    thumb: bool,
    helpers: Helpers,
    layout: &Layout,
    slot: &mut dyn FnMut() -> Option<usize>,
) -> Option<Code> {
    // Room for the block's code and labels up front: grown from nothing, the buffer moved
    // a few times for each of the boot's twenty thousand blocks (3% of a Linux boot).
    let mut asm = Asm::new_with_capacity(
        0,
        256 + 128 * insns.len(),
        0,
        0,
        8 + 2 * insns.len(),
        0,
        8 + 4 * insns.len(),
    );
    let exit = asm.new_dynamic_label();
    dynasm!(asm
        ; .arch x64
        ; push rbx
        ; push rbp
        ; push r12
        ; push r13
        ; push r14
        ; push r15
        ; sub rsp, 8
        ; mov rbx, rdi
        ; mov r12, rsi
        ; mov r13, QWORD [r12 + Context::ARENA]
        ; mov r14, QWORD [r12 + Context::READ_TABLE]
        ; mov r15, QWORD [r12 + Context::WRITE_TABLE]
        ; mov rbp, QWORD [rbx + layout.insns]
    );
    let body = asm.offset().0;
    let page = insns.first()?.pc & !(crate::bus::PAGE_SIZE - 1);
    let mut e = Emitter {
        asm,
        layout,
        exit,
        helpers,
        page,
        slot,
        held: None,
        owed: None,
        thumb,
    };
    let size = if thumb { 2 } else { 4 };
    let effects: Vec<(u32, Native)> = insns.iter().map(|i| (i.cond, i.native)).collect();
    let live = flags::live_after(&effects);
    for (index, insn) in insns.iter().enumerate() {
        let count = index as i32 + 1;
        let skip = e.asm.new_dynamic_label();
        if let Some(reads) = insn.settle {
            e.settle(reads);
        }
        if insn.cond != 0xE {
            e.condition(insn.cond, skip);
        }
        debug_assert_eq!(
            e.owed.map_or(0, |owed| owed.bits) & flags::reads(insn.cond, &insn.native, false),
            0,
            "a flag read while owed"
        );
        let writes = flags::writes(insn.cond, &insn.native);
        if writes != 0 {
            e.settle_owed(writes);
        }
        // A flag write that nothing reads is left out, one that only slow paths read is owed;
        // the next instruction's condition is kept from x86's flags where they answer it.
        let flags = match live[index] {
            live if live.read & flags::ALL != 0 => Flags::Write,
            live if live.owed & flags::ALL == 0 => Flags::Skip,
            _ if insn.cond == 0xE => Flags::Owe,
            _ => Flags::Write,
        };
        let next_cond = insns.get(index + 1).map_or(0xE, |next| next.cond);
        let host = if insn.cond == 0xE && next_cond != 0xE {
            flags::host_condition(&insn.native, next_cond).map(|host| (next_cond, host))
        } else {
            None
        };
        let held = e.held.take();
        match insn.native {
            Native::Alu {
                opcode,
                s,
                rd,
                rn,
                op2,
            } => {
                e.alu(opcode, flags.when(s), rd, rn, op2, host);
                // A literal load folded to a constant keeps the load's interlock.
                e.end_op(insn, s, held);
            }
            Native::Mem {
                load,
                width,
                rd,
                base,
                offset,
                up,
                pre,
                writeback,
            } => e.mem(
                insn, count, load, width, rd, base, offset, up, pre, writeback,
            ),
            Native::Mul { rd, rm, rs, acc, s } => {
                e.mul(rd, rm, rs, acc, flags.when(s), host);
                e.end_op(insn, s, held);
            }
            Native::MulLong {
                lo,
                hi,
                rm,
                rs,
                signed,
                acc,
                s,
            } => {
                e.mul_long(lo, hi, rm, rs, signed, acc, flags.when(s), host);
                e.end_op(insn, s, held);
            }
            Native::Halfword {
                op,
                rd,
                rn,
                rm,
                rs,
                x,
                y,
            } => {
                e.halfword(op, rd, rn, rm, rs, x, y);
                e.end_op(insn, false, held);
            }
            Native::Multi {
                load,
                list,
                base,
                start,
                new_base,
                writeback,
                pc_value,
            } => e.multi(
                insn, count, load, list, base, start, new_base, writeback, pc_value,
            ),
            Native::Branch { target, link } => {
                if let Some(link) = link {
                    e.store_imm(layout.reg(14), link);
                }
                e.cycles(insn);
                e.finish(count, insn.pc, target);
            }
            Native::Jump {
                rm,
                plus,
                link,
                exchange,
            } => e.jump(insn, count, rm, plus, link, exchange),
            Native::Exchange { target, link } => {
                e.store_imm(layout.reg(14), link);
                e.cycles(insn);
                dynasm!(e.asm ; .arch x64 ; mov esi, target as i32 ; mov ecx, target as i32);
                e.go_to(count, insn.pc, true, false);
            }
            Native::Call => e.call(insn, count),
        }
        dynasm!(e.asm ; .arch x64 ; =>skip);
        if matches!(insn.native, Native::Branch { .. }) {
            // A branch not taken ends the block too: what follows it was not decoded with it.
            e.finish(count, insn.pc, insn.pc.wrapping_add(size));
            return e.done(body);
        }
    }
    let last = insns.last()?.pc;
    e.finish(insns.len() as i32, last, last.wrapping_add(size));
    e.done(body)
}

struct Emitter<'a> {
    asm: Asm,
    layout: &'a Layout,
    exit: dynasmrt::DynamicLabel,
    helpers: Helpers,
    /// The block's virtual page: exits to it may chain.
    page: u32,
    slot: &'a mut dyn FnMut() -> Option<usize>,
    /// The ARM condition `r11b` holds the answer to (1: it passes), if any: set just after a
    /// flag-setting instruction for the next one's condition, kept while nothing sets flags or
    /// calls out.
    held: Option<u32>,
    /// The flag write owed to slow paths, if any.
    owed: Option<Owed>,
    /// The block's instruction set.
    thumb: bool,
}

impl Emitter<'_> {
    fn done(mut self, body: usize) -> Option<Code> {
        let exit = self.exit;
        dynasm!(self.asm
            ; .arch x64
            ; =>exit
            ; add rsp, 8
            ; pop r15
            ; pop r14
            ; pop r13
            ; pop r12
            ; pop rbp
            ; pop rbx
            ; ret
        );
        let bytes = self.asm.finalize().ok()?;
        Some(Code { bytes, body })
    }

    /// Ends an instruction that sets the flags only if `s`: one that did not leaves `r11b` the
    /// condition it held before (`held`); then its cycles.
    fn end_op(&mut self, insn: &Insn, s: bool, held: Option<u32>) {
        if !s {
            self.held = held;
        }
        self.cycles(insn);
    }

    /// The cycle model's hook on an instruction's native path (`lower::cycles`): its extra
    /// cycles, and the load-use interlock a load leaves for the next instruction.
    fn cycles(&mut self, insn: &Insn) {
        let l = self.layout;
        if insn.extra != 0 {
            dynasm!(self.asm ; .arch x64 ; add QWORD [rbx + l.extra_cycles], insn.extra as i32);
        }
        if insn.pend != 0 {
            dynasm!(self.asm ; .arch x64 ; mov DWORD [rbx + l.interlock], insn.pend as i32);
        }
    }

    /// Settles the load-use interlock pending before an instruction reading the registers
    /// `reads`, as `Cpu::settle_interlock` does: its cycles if it delays one of them, then none.
    fn settle(&mut self, reads: u32) {
        let l = self.layout;
        let clear = self.asm.new_dynamic_label();
        let none = self.asm.new_dynamic_label();
        // Mostly none is pending: then nothing is written.
        dynasm!(self.asm
            ; .arch x64
            ; mov eax, DWORD [rbx + l.interlock]
            ; test eax, eax
            ; jz =>none
            ; test eax, reads as i32
            ; jz =>clear
            ; shr eax, 16
            ; add QWORD [rbx + l.extra_cycles], rax
            ; =>clear
            ; mov DWORD [rbx + l.interlock], 0
            ; =>none
        );
    }

    fn store_imm(&mut self, at: i32, value: u32) {
        dynasm!(self.asm ; .arch x64 ; mov DWORD [rbx + at], value as i32);
    }

    /// Jumps to `skip` unless the condition passes: bit NZCV of the condition's mask, as
    /// `psr::condition_passed` defines it (ARM ARM A3.2).
    fn condition(&mut self, cond: u32, skip: dynasmrt::DynamicLabel) {
        if self.held == Some(cond) {
            dynasm!(self.asm ; .arch x64 ; test r11b, r11b ; jz =>skip);
            return;
        }
        let mask = (0..16u32)
            .filter(|&nzcv| psr::condition_passed(cond, nzcv << 28))
            .fold(0u32, |mask, nzcv| mask | 1 << nzcv);
        let cpsr = self.layout.cpsr;
        dynasm!(self.asm
            ; .arch x64
            ; mov eax, DWORD [rbx + cpsr]
            ; shr eax, 28
            ; mov ecx, mask as i32
            ; bt ecx, eax
            ; jnc =>skip
        );
    }

    /// Ends the block after `count` instructions, the last at `last`, going on at `next`: the
    /// state `Cpu::run_ops` leaves. When `next` is in the block's page, the exit goes through a
    /// chain slot: once the slot holds the compiled block at `next` (the runner fills it the
    /// first time the exit leaves by it), control goes straight there if all of that block
    /// fits in the budget, with `rbp` moved on to the count at its start and nothing else
    /// written: the count, the PC and the instruction's address are written only where
    /// compiled code returns to the run loop, and a handler call sets them itself. A block in
    /// the same virtual page lies in the same physical page, since nothing here changed the
    /// mapping (a change raises attention, which only a handler call does, and such a call
    /// leaves the block); its code is dropped with the page.
    fn finish(&mut self, count: i32, last: u32, next: u32) {
        let l = self.layout;
        let exit = self.exit;
        let slot = if next & !(crate::bus::PAGE_SIZE - 1) == self.page {
            (self.slot)()
        } else {
            None
        };
        if next & !(crate::bus::PAGE_SIZE - 1) != self.page {
            dynasm!(self.asm ; .arch x64 ; mov esi, next as i32);
            self.same_state_key();
            return self.go_to(count, last, false, false);
        }
        let leave = self.asm.new_dynamic_label();
        if let Some(slot) = slot {
            let unfilled = self.asm.new_dynamic_label();
            let budget = self.asm.new_dynamic_label();
            dynasm!(self.asm
                ; .arch x64
                ; mov rax, QWORD slot as i64
                ; mov rcx, QWORD [rax + Slot::ENTRY]
                ; test rcx, rcx
                ; jz =>unfilled
                ; mov rdx, QWORD [rax + Slot::LEN]
                ; lea rdx, [rbp + rdx + count]
                ; cmp rdx, QWORD [r12 + Context::END]
                ; ja =>budget
                ; add rbp, count
                ; jmp rcx
                ; =>budget
            );
            self.note_exit(Exit::ChainBudget);
            dynasm!(self.asm
                ; .arch x64
                ; jmp =>leave
                ; =>unfilled
                ; mov QWORD [r12 + Context::LAST_SLOT], rax
            );
        }
        self.note_exit(Exit::Unchained);
        dynasm!(self.asm
            ; .arch x64
            ; =>leave
            ; lea rax, [rbp + count]
            ; mov QWORD [rbx + l.insns], rax
            ; mov DWORD [rbx + l.reg(15)], next as i32
            ; mov DWORD [rbx + l.next_pc], next as i32
            ; mov DWORD [rbx + l.insn_addr], last as i32
            ; jmp =>exit
        );
    }

    /// Notes why compiled code is about to return to the run loop ([`Context::exit`]).
    fn note_exit(&mut self, exit: Exit) {
        dynasm!(self.asm ; .arch x64 ; mov BYTE [r12 + Context::EXIT], exit.code() as i8);
    }

    /// Ends the block after `count` instructions, the last at `last`, going on at the address
    /// in `esi` (aligned for its state), whose key is in `ecx` (the address with bit 0 set for
    /// Thumb): straight to its compiled block if the target table holds one (see [`Target`])
    /// whose page the TLB maps the address to, as the run loop's fetch finds it, and all of it
    /// fits in the budget; else back to the run loop. With `exchange`, the target may be in
    /// the other state, which the CPSR's T bit then takes (A4.1.10: BX). The interpreter raises
    /// attention at a change of state, which makes its run loop look for an interrupt to take;
    /// there is none to find here: a line rises only at an event or a device access, which end
    /// the slice or leave compiled code, and nothing in between unmasks one.
    fn go_to(&mut self, count: i32, last: u32, exchange: bool, computed: bool) {
        let l = self.layout;
        let exit = self.exit;
        let leave = self.asm.new_dynamic_label();
        let unmapped = self.asm.new_dynamic_label();
        let not_held = self.asm.new_dynamic_label();
        let stale = self.asm.new_dynamic_label();
        let budget = self.asm.new_dynamic_label();
        let mapped = self.asm.new_dynamic_label();
        let fill = self.asm.new_dynamic_label();
        self.tlb_page(Rq::R14, 0, fill);
        dynasm!(self.asm
            ; .arch x64
            ; =>mapped
            ; imul eax, esi, super::TARGET_HASH as i32
            ; shr eax, 32 - super::TARGET_BITS as i8
            ; shl eax, Target::SHIFT
            ; add rax, QWORD [r12 + Context::TARGETS]
            ; cmp ecx, DWORD [rax + Target::KEY]
            ; jne =>not_held
            ; cmp r8d, DWORD [rax + Target::PAGE]
            ; jne =>not_held
            ; mov rdx, QWORD [r12 + Context::STAMP]
            ; cmp rdx, QWORD [rax + Target::STAMP]
            ; jne =>stale
            ; mov rdx, QWORD [rax + Target::LEN]
            ; lea rdx, [rbp + rdx + count]
            ; cmp rdx, QWORD [r12 + Context::END]
            ; ja =>budget
        );
        if exchange {
            self.exchange();
        }
        dynasm!(self.asm
            ; .arch x64
            ; add rbp, count
            ; jmp QWORD [rax + Target::ENTRY]
            // Not in the TLB: filled as the fetch at the target would fill it, if that finds
            // RAM without a fault; else the run loop's fetch takes the fault or reads the
            // device. (Two pushes keep the stack aligned for the call.)
            ; =>fill
            ; push rsi
            ; push rcx
            ; mov rdi, rbx
            ; mov rsi, r12
            ; mov edx, DWORD [rsp + 8]
            ; mov rax, QWORD self.helpers.fill as i64
            ; call rax
            ; pop rcx
            ; pop rsi
            ; cmp rax, -1
            ; je =>unmapped
            ; mov r8, rax
            ; jmp =>mapped
        );
        for (label, why) in [
            (unmapped, Exit::Unmapped { computed }),
            (not_held, Exit::NotHeld { computed }),
            (stale, Exit::Stale { computed }),
            (budget, Exit::Budget { computed }),
        ] {
            dynasm!(self.asm ; .arch x64 ; =>label);
            self.note_exit(why);
            dynasm!(self.asm ; .arch x64 ; jmp =>leave);
        }
        dynasm!(self.asm ; .arch x64 ; =>leave);
        if exchange {
            self.exchange();
        }
        dynasm!(self.asm
            ; .arch x64
            ; lea rax, [rbp + count]
            ; mov QWORD [rbx + l.insns], rax
            ; mov DWORD [rbx + l.reg(15)], esi
            ; mov DWORD [rbx + l.next_pc], esi
            ; mov DWORD [rbx + l.insn_addr], last as i32
            ; jmp =>exit
        );
    }

    /// The CPSR's T bit = bit 0 of the key in `ecx` (it was the block's state).
    fn exchange(&mut self) {
        let cpsr = self.layout.cpsr;
        dynasm!(self.asm
            ; .arch x64
            ; mov edx, ecx
            ; xor edx, self.thumb as i32
            ; and edx, 1
            ; shl edx, 5
            ; xor DWORD [rbx + cpsr], edx
        );
    }

    /// `ecx` = the key of the address in `esi`, in the block's state.
    fn same_state_key(&mut self) {
        dynasm!(self.asm ; .arch x64 ; mov ecx, esi ; or ecx, self.thumb as i32);
    }

    /// BX Rm (and BLX Rm with `link`), A4.1.10, A7.1.20: to the address in Rm, Thumb if its
    /// bit 0 is set, through [`Self::go_to`]; an ARM target not word-aligned is the handler's.
    /// Without `exchange`, MOV PC, Rm and ADD PC (`plus` the PC read): to the address aligned
    /// for the block's state, as the handlers write the PC (`Cpu::write_reg`).
    fn jump(
        &mut self,
        insn: &Insn,
        count: i32,
        rm: u8,
        plus: u32,
        link: Option<u32>,
        exchange: bool,
    ) {
        let l = self.layout;
        let slow = self.asm.new_dynamic_label();
        dynasm!(self.asm ; .arch x64 ; mov ecx, DWORD [rbx + l.reg(rm)]);
        if plus != 0 {
            dynasm!(self.asm ; .arch x64 ; add ecx, plus as i32);
        }
        if exchange {
            dynasm!(self.asm
                ; .arch x64
                ; mov eax, ecx
                ; and eax, 3
                ; cmp eax, 2
                ; je =>slow
            );
        }
        let align = if exchange || self.thumb { -2 } else { -4 };
        dynasm!(self.asm ; .arch x64 ; mov esi, ecx ; and esi, align);
        if !exchange {
            self.same_state_key();
        }
        if let Some(link) = link {
            self.store_imm(l.reg(14), link);
        }
        self.cycles(insn);
        self.go_to(count, insn.pc, exchange, true);
        if exchange {
            dynasm!(self.asm ; .arch x64 ; =>slow);
            self.slow(insn, count);
        }
    }

    /// A native form's slow path: the flag write owed, if any, to the CPSR (the handler may
    /// take an abort, which saves it), then the handler. The write stays owed after it: the
    /// native path, which joins this one, has not made it, and `[rsp]` outlives the call.
    fn slow(&mut self, insn: &Insn, count: i32) {
        self.pay();
        self.call(insn, count);
    }

    /// The flag write owed, to the CPSR.
    fn pay(&mut self) {
        let Some(owed) = self.owed else {
            return;
        };
        match owed.how {
            Owing::Arithmetic => {
                dynasm!(self.asm ; .arch x64 ; mov eax, DWORD [rsp]);
                self.nzcv();
            }
            Owing::Logical(carry) => {
                dynasm!(self.asm ; .arch x64 ; mov esi, DWORD [rsp]);
                if let Carry::InEdx = carry {
                    dynasm!(self.asm ; .arch x64 ; mov edx, DWORD [rsp + 4]);
                }
                self.logical_flags(Flags::Write, carry);
            }
        }
    }

    /// Before an instruction writing the flags `writes`: the owed write is paid on the native
    /// path if it holds flags this one leaves, else forgotten.
    fn settle_owed(&mut self, writes: u32) {
        if self.owed.is_some_and(|owed| owed.bits & !writes != 0) {
            self.pay();
        }
        self.owed = None;
    }

    /// The interpreter's handler for the instruction (its condition passed), leaving the block
    /// if the handler says so.
    fn call(&mut self, insn: &Insn, count: i32) {
        let exit = self.exit;
        dynasm!(self.asm
            ; .arch x64
            ; mov rdi, rbx
            ; mov rsi, r12
            ; mov rdx, QWORD insn.handler as i64
            ; mov ecx, insn.word as i32
            ; mov r8d, insn.pc as i32
            ; lea r9, [rbp + count]
            ; mov rax, QWORD self.helpers.call as i64
            ; call rax
            ; test al, al
            ; jnz =>exit
        );
        // Only here may an interlock be pending between two instructions of the block.
        if let Some(reads) = insn.next {
            self.settle(reads);
        }
    }

    /// `eax` = a source operand.
    fn src(&mut self, src: Src) {
        match src {
            Src::Reg(n) => {
                let at = self.layout.reg(n);
                dynasm!(self.asm ; .arch x64 ; mov eax, DWORD [rbx + at]);
            }
            Src::Imm(value) => dynasm!(self.asm ; .arch x64 ; mov eax, value as i32),
        }
    }

    /// `ecx` = the operand; with `want_carry`, where the shifter's carry-out is (ARM ARM A5.1).
    fn operand(&mut self, op2: Operand, want_carry: bool) -> Carry {
        let (rm, shift, amount) = match op2 {
            Operand::Imm { value, carry } => {
                dynasm!(self.asm ; .arch x64 ; mov ecx, value as i32);
                return carry.map_or(Carry::Unchanged, Carry::Const);
            }
            Operand::Shifted { rm, shift, amount } => (rm, shift, amount),
            Operand::ByReg { rm, shift, rs } => return self.shift_by_reg(rm, shift, rs),
        };
        let at = self.layout.reg(rm);
        let cpsr = self.layout.cpsr;
        dynasm!(self.asm ; .arch x64 ; mov ecx, DWORD [rbx + at]);
        let n = amount as i8;
        match (shift, amount) {
            (Shift::Lsl, 0) => return Carry::Unchanged,
            (Shift::Lsr, 0) => {
                // LSR #32: zero, the carry bit 31.
                dynasm!(self.asm ; .arch x64 ; mov edx, ecx ; shr edx, 31 ; xor ecx, ecx);
                return Carry::InEdx;
            }
            (Shift::Asr, 0) => {
                // ASR #32: every bit the sign, the carry bit 31.
                dynasm!(self.asm ; .arch x64 ; sar ecx, 31 ; mov edx, ecx ; and edx, 1);
                return Carry::InEdx;
            }
            (Shift::Ror, 0) => {
                // RRX: the C flag in at the top, bit 0 out.
                dynasm!(self.asm ; .arch x64 ; bt DWORD [rbx + cpsr], 29 ; rcr ecx, 1);
            }
            // x86's shifts by 1-31 leave the last bit shifted out in CF, as ARM's carry-out.
            (Shift::Lsl, _) => dynasm!(self.asm ; .arch x64 ; shl ecx, n),
            (Shift::Lsr, _) => dynasm!(self.asm ; .arch x64 ; shr ecx, n),
            (Shift::Asr, _) => dynasm!(self.asm ; .arch x64 ; sar ecx, n),
            (Shift::Ror, _) => dynasm!(self.asm ; .arch x64 ; ror ecx, n),
        }
        if want_carry {
            dynasm!(self.asm ; .arch x64 ; setc dl ; movzx edx, dl);
        }
        Carry::InEdx
    }

    /// `ecx` = register `rm` shifted by the bottom byte of register `rs`, `edx` the
    /// shifter's carry-out (A5.1.6-A5.1.12, `alu::shift_reg`); `eax` is kept. x86 masks a
    /// shift's count to 5 bits, so amounts 0 and 32 up are taken apart first: 0 leaves the
    /// value and the C flag; 32 up leaves 0 for LSL and LSR (the carry bit 0, bit 31 at 32
    /// exactly, else 0), the sign for ASR (the carry bit 31); ROR rotates by the amount's low 5
    /// bits, its carry the result's bit 31.
    fn shift_by_reg(&mut self, rm: u8, shift: Shift, rs: u8) -> Carry {
        let l = self.layout;
        let done = self.asm.new_dynamic_label();
        let big = self.asm.new_dynamic_label();
        dynasm!(self.asm
            ; .arch x64
            ; mov edi, DWORD [rbx + l.reg(rm)]
            ; movzx ecx, BYTE [rbx + l.reg(rs)]
            ; mov edx, DWORD [rbx + l.cpsr]
            ; shr edx, 29
            ; and edx, 1
            ; test ecx, ecx
            ; jz =>done
        );
        match shift {
            Shift::Ror => dynasm!(self.asm
                ; .arch x64
                ; ror edi, cl
                ; mov edx, edi
                ; shr edx, 31
            ),
            Shift::Asr => dynasm!(self.asm
                ; .arch x64
                ; cmp ecx, 32
                ; jae =>big
                ; sar edi, cl
                ; setc dl
                ; jmp =>done
                ; =>big
                ; sar edi, 31
                ; mov edx, edi
                ; and edx, 1
            ),
            Shift::Lsl | Shift::Lsr => {
                let zero = self.asm.new_dynamic_label();
                dynasm!(self.asm ; .arch x64 ; cmp ecx, 32 ; jae =>big);
                if shift == Shift::Lsl {
                    dynasm!(self.asm ; .arch x64 ; shl edi, cl);
                } else {
                    dynasm!(self.asm ; .arch x64 ; shr edi, cl);
                }
                dynasm!(self.asm
                    ; .arch x64
                    ; setc dl
                    ; jmp =>done
                    ; =>big
                    ; xor edx, edx
                    ; cmp ecx, 32
                    ; jne =>zero
                );
                // By 32 exactly, the carry is the bit shifted out last: bit 0 for LSL, bit 31
                // for LSR.
                if shift == Shift::Lsr {
                    dynasm!(self.asm ; .arch x64 ; shr edi, 31);
                }
                dynasm!(self.asm
                    ; .arch x64
                    ; mov edx, edi
                    ; and edx, 1
                    ; =>zero
                    ; xor edi, edi
                );
            }
        }
        dynasm!(self.asm ; .arch x64 ; =>done ; mov ecx, edi);
        Carry::InEdx
    }

    /// `r11b` = whether the ARM condition `cond` passes, as x86's condition `host` answers it
    /// from the flags of the operation just done (`test`: of the result in `esi`).
    fn hold(&mut self, (cond, host): (u32, Host), test: bool) {
        if test {
            dynasm!(self.asm ; .arch x64 ; test esi, esi);
        }
        match host {
            Host::E => dynasm!(self.asm ; .arch x64 ; sete r11b),
            Host::Ne => dynasm!(self.asm ; .arch x64 ; setne r11b),
            Host::S => dynasm!(self.asm ; .arch x64 ; sets r11b),
            Host::Ns => dynasm!(self.asm ; .arch x64 ; setns r11b),
            Host::O => dynasm!(self.asm ; .arch x64 ; seto r11b),
            Host::No => dynasm!(self.asm ; .arch x64 ; setno r11b),
            Host::B => dynasm!(self.asm ; .arch x64 ; setb r11b),
            Host::Ae => dynasm!(self.asm ; .arch x64 ; setae r11b),
            Host::A => dynasm!(self.asm ; .arch x64 ; seta r11b),
            Host::Be => dynasm!(self.asm ; .arch x64 ; setbe r11b),
            Host::L => dynasm!(self.asm ; .arch x64 ; setl r11b),
            Host::Ge => dynasm!(self.asm ; .arch x64 ; setge r11b),
            Host::G => dynasm!(self.asm ; .arch x64 ; setg r11b),
            Host::Le => dynasm!(self.asm ; .arch x64 ; setle r11b),
        }
        self.held = Some(cond);
    }

    /// A data-processing operation (ARM ARM A4.1, `Cpu::alu`); with `host`, the next
    /// instruction's condition is kept in `r11b`.
    fn alu(
        &mut self,
        opcode: u32,
        flags: Flags,
        rd: Option<u8>,
        rn: Src,
        op2: Operand,
        host: Option<(u32, Host)>,
    ) {
        let logical = flags::logical(opcode);
        if !matches!(opcode, 0xD | 0xF) {
            self.src(rn);
        }
        let carry = self.operand(op2, logical && flags != Flags::Skip);
        let cpsr = self.layout.cpsr;
        // The result goes to esi; for arithmetic, whether x86's CF is ARM's C inverted.
        let mut inverted = false;
        match opcode {
            0x0 | 0x8 => dynasm!(self.asm ; .arch x64 ; and eax, ecx),
            0x1 | 0x9 => dynasm!(self.asm ; .arch x64 ; xor eax, ecx),
            0xC => dynasm!(self.asm ; .arch x64 ; or eax, ecx),
            0xD => dynasm!(self.asm ; .arch x64 ; mov eax, ecx),
            0xE => dynasm!(self.asm ; .arch x64 ; not ecx ; and eax, ecx),
            0xF => dynasm!(self.asm ; .arch x64 ; mov eax, ecx ; not eax),
            0x4 | 0xB => dynasm!(self.asm ; .arch x64 ; add eax, ecx),
            0x5 => dynasm!(self.asm ; .arch x64 ; bt DWORD [rbx + cpsr], 29 ; adc eax, ecx),
            // ARM's subtraction sets C when nothing is borrowed, x86's CF when something is.
            0x2 | 0xA => {
                dynasm!(self.asm ; .arch x64 ; sub eax, ecx);
                inverted = true;
            }
            0x3 => {
                dynasm!(self.asm ; .arch x64 ; sub ecx, eax ; mov eax, ecx);
                inverted = true;
            }
            0x6 => {
                dynasm!(self.asm ; .arch x64 ; bt DWORD [rbx + cpsr], 29 ; cmc ; sbb eax, ecx);
                inverted = true;
            }
            _ => {
                dynasm!(self.asm
                    ; .arch x64
                    ; bt DWORD [rbx + cpsr], 29
                    ; cmc
                    ; sbb ecx, eax
                    ; mov eax, ecx
                );
                inverted = true;
            }
        }
        dynasm!(self.asm ; .arch x64 ; mov esi, eax);
        if let Some(host) = host {
            self.hold(host, logical);
        }
        match (flags, logical) {
            (Flags::Skip, _) => {}
            (_, true) => self.logical_flags(flags, carry),
            (_, false) => {
                // ARM's C, then N Z C V in ah and al as `nzcv` takes them.
                if inverted {
                    dynasm!(self.asm ; .arch x64 ; cmc);
                }
                dynasm!(self.asm ; .arch x64 ; lahf ; seto al);
                if flags == Flags::Owe {
                    dynasm!(self.asm ; .arch x64 ; mov DWORD [rsp], eax);
                    self.owed = Some(Owed {
                        bits: flags::ALL,
                        how: Owing::Arithmetic,
                    });
                } else {
                    self.nzcv();
                }
            }
        }
        if let Some(rd) = rd {
            let at = self.layout.reg(rd);
            dynasm!(self.asm ; .arch x64 ; mov DWORD [rbx + at], esi);
        }
    }

    /// N Z C V to the CPSR from x86's SF ZF CF OF after an addition or subtraction (CF made
    /// ARM's C), as LAHF and SETO leave them: SF, ZF and CF in bits 15, 14 and 8 of eax, OF in
    /// bit 0. One multiplication moves the four to bits 31-28 at once (their shifted copies
    /// land on other bits, masked off).
    fn nzcv(&mut self) {
        let cpsr = self.layout.cpsr;
        dynasm!(self.asm
            ; .arch x64
            ; and eax, 0xC101
            ; imul eax, eax, 0x1021_0000
            ; and eax, 0xF000_0000u32 as i32
            ; mov ecx, DWORD [rbx + cpsr]
            ; and ecx, 0x0FFF_FFFF
            ; or ecx, eax
            ; mov DWORD [rbx + cpsr], ecx
        );
    }

    /// N and Z from the result in esi, C from the shifter, V unchanged: to the CPSR, or owed
    /// (`flags`).
    fn logical_flags(&mut self, flags: Flags, carry: Carry) {
        if flags == Flags::Owe {
            dynasm!(self.asm ; .arch x64 ; mov DWORD [rsp], esi);
            if let Carry::InEdx = carry {
                dynasm!(self.asm ; .arch x64 ; mov DWORD [rsp + 4], edx);
            }
            let bits = match carry {
                Carry::Unchanged => psr::N | psr::Z,
                _ => psr::N | psr::Z | psr::C,
            };
            self.owed = Some(Owed {
                bits,
                how: Owing::Logical(carry),
            });
            return;
        }
        let cpsr = self.layout.cpsr;
        let keep = match carry {
            Carry::Unchanged => !(psr::N | psr::Z),
            _ => !(psr::N | psr::Z | psr::C),
        };
        // LAHF: SF and ZF to bits 15 and 14 of eax.
        dynasm!(self.asm
            ; .arch x64
            ; mov ecx, DWORD [rbx + cpsr]
            ; and ecx, keep as i32
            ; test esi, esi
            ; lahf
            ; and eax, 0xC000
            ; shl eax, 16
            ; or ecx, eax
        );
        match carry {
            Carry::Unchanged | Carry::Const(false) => {}
            Carry::Const(true) => dynasm!(self.asm ; .arch x64 ; or ecx, psr::C as i32),
            Carry::InEdx => dynasm!(self.asm ; .arch x64 ; shl edx, 29 ; or ecx, edx),
        }
        dynasm!(self.asm ; .arch x64 ; mov DWORD [rbx + cpsr], ecx);
    }

    /// `r8` = the arena offset of the page holding the address in `esi`, through the TLB
    /// table `table` (the current mode's reads, `r14`, or writes, `r15`) as `Tlb::lookup`
    /// finds it; a miss, or an address with a bit of `align` set, jumps to `miss`. Both are one
    /// comparison: the address masked to its page and those bits against the entry's tag, a
    /// page address (an empty entry's tag, `INVALID`, has low bits that no mask here keeps).
    fn tlb_page(&mut self, table: Rq, align: u32, miss: dynasmrt::DynamicLabel) {
        let page_mask = !(crate::bus::PAGE_SIZE - 1);
        let sets_mask = (super::TLB_SETS - 1) as i32;
        dynasm!(self.asm
            ; .arch x64
            ; mov edi, esi
            ; shr edi, 12
            ; and edi, sets_mask
            ; mov r8d, esi
            ; and r8d, (page_mask | align) as i32
            ; cmp r8d, DWORD [Rq(table) + rdi * 8]
            ; jne =>miss
            ; mov r8d, DWORD [Rq(table) + rdi * 8 + 4]
        );
    }

    /// `r8` = the arena offset of the access of `bytes` at the address in `esi`, all in one
    /// page and aligned to `align` + 1 bytes, through the current mode's TLB table for loads or
    /// stores, as `Cpu::read_fast` and `write_fast` find it; anything else jumps to `slow` (a
    /// miss, a misaligned address, or past the arena's end).
    fn tlb(&mut self, load: bool, align: u32, bytes: i32, slow: dynasmrt::DynamicLabel) {
        let table = if load { Rq::R14 } else { Rq::R15 };
        self.tlb_page(table, align, slow);
        let in_page = (crate::bus::PAGE_SIZE - 1) as i32;
        dynasm!(self.asm
            ; .arch x64
            ; and esi, in_page
            ; add r8, rsi
            ; lea r9, [r8 + bytes]
            ; cmp r9, QWORD [r12 + Context::ARENA_LEN]
            ; ja =>slow
        );
    }

    /// MUL, MLA (`ArmOp::Multiply`); with `host`, the next instruction's condition is kept in
    /// `r11b`.
    fn mul(
        &mut self,
        rd: u8,
        rm: u8,
        rs: u8,
        acc: Option<u8>,
        flags: Flags,
        host: Option<(u32, Host)>,
    ) {
        let l = self.layout;
        dynasm!(self.asm
            ; .arch x64
            ; mov eax, DWORD [rbx + l.reg(rm)]
            ; imul eax, DWORD [rbx + l.reg(rs)]
        );
        if let Some(acc) = acc {
            dynasm!(self.asm ; .arch x64 ; add eax, DWORD [rbx + l.reg(acc)]);
        }
        dynasm!(self.asm ; .arch x64 ; mov esi, eax);
        if let Some(host) = host {
            self.hold(host, true);
        }
        if flags != Flags::Skip {
            self.logical_flags(flags, Carry::Unchanged);
        }
        dynasm!(self.asm ; .arch x64 ; mov DWORD [rbx + l.reg(rd)], esi);
    }

    /// UMULL, SMULL, UMLAL, SMLAL (`ArmOp::MultiplyLong`); with `host`, the next
    /// instruction's condition is kept in `r11b`. The flags are set from a 32-bit stand-in for
    /// the 64-bit result in `esi`: the high word, its bit 0 set if the low word is not zero
    /// (the same sign, zero only where the whole is).
    #[allow(clippy::too_many_arguments)]
    fn mul_long(
        &mut self,
        lo: u8,
        hi: u8,
        rm: u8,
        rs: u8,
        signed: bool,
        acc: bool,
        flags: Flags,
        host: Option<(u32, Host)>,
    ) {
        let l = self.layout;
        // Two 32-bit operands extended to 64 bits: the low 64 bits of their product, which
        // `imul` leaves, are the whole product, signed or not.
        if signed {
            dynasm!(self.asm
                ; .arch x64
                ; movsxd rax, DWORD [rbx + l.reg(rm)]
                ; movsxd rcx, DWORD [rbx + l.reg(rs)]
            );
        } else {
            dynasm!(self.asm
                ; .arch x64
                ; mov eax, DWORD [rbx + l.reg(rm)]
                ; mov ecx, DWORD [rbx + l.reg(rs)]
            );
        }
        dynasm!(self.asm ; .arch x64 ; imul rax, rcx);
        if acc {
            dynasm!(self.asm
                ; .arch x64
                ; mov edx, DWORD [rbx + l.reg(hi)]
                ; shl rdx, 32
                ; mov ecx, DWORD [rbx + l.reg(lo)]
                ; or rdx, rcx
                ; add rax, rdx
            );
        }
        dynasm!(self.asm
            ; .arch x64
            ; mov r9, rax
            ; mov rsi, rax
            ; shr rsi, 32
            ; xor ecx, ecx
            ; test eax, eax
            ; setnz cl
            ; or esi, ecx
        );
        if let Some(host) = host {
            self.hold(host, true);
        }
        if flags != Flags::Skip {
            self.logical_flags(flags, Carry::Unchanged);
        }
        dynasm!(self.asm
            ; .arch x64
            ; mov DWORD [rbx + l.reg(lo)], r9d
            ; shr r9, 32
            ; mov DWORD [rbx + l.reg(hi)], r9d
        );
    }

    /// `dst` (a 32-bit register) = the signed bottom or `top` half of guest register `n`.
    fn half(&mut self, dst: Rq, n: u8, top: bool) {
        let at = self.layout.reg(n);
        if top {
            dynasm!(self.asm ; .arch x64 ; movsx Rd(dst), WORD [rbx + at + 2]);
        } else {
            dynasm!(self.asm ; .arch x64 ; movsx Rd(dst), WORD [rbx + at]);
        }
    }

    /// The signed halfword multiplies (`ArmOp::SmlaXy` and its kin); x86's flags and `r11b`
    /// are kept for nothing, the CPSR's Q set where a sum overflows (A4.1.74).
    #[allow(clippy::too_many_arguments)]
    fn halfword(&mut self, op: Halfword, rd: u8, rn: u8, rm: u8, rs: u8, x: bool, y: bool) {
        let l = self.layout;
        let no_overflow = self.asm.new_dynamic_label();
        self.half(Rq::RCX, rs, y);
        match op {
            Halfword::Smla | Halfword::Smul | Halfword::Smlal => {
                // 16 by 16 bits: the product fits in 32.
                self.half(Rq::RAX, rm, x);
                dynasm!(self.asm ; .arch x64 ; imul eax, ecx);
            }
            Halfword::Smlaw | Halfword::Smulw => dynasm!(self.asm
                ; .arch x64
                ; movsxd rax, DWORD [rbx + l.reg(rm)]
                ; movsxd rcx, ecx
                ; imul rax, rcx
                ; sar rax, 16
            ),
        }
        match op {
            Halfword::Smul | Halfword::Smulw => {}
            Halfword::Smla | Halfword::Smlaw => dynasm!(self.asm
                ; .arch x64
                ; add eax, DWORD [rbx + l.reg(rn)]
                ; jno =>no_overflow
                ; or DWORD [rbx + l.cpsr], psr::Q as i32
                ; =>no_overflow
            ),
            Halfword::Smlal => {
                dynasm!(self.asm
                    ; .arch x64
                    ; movsxd rax, eax
                    ; mov edx, DWORD [rbx + l.reg(rd)]
                    ; shl rdx, 32
                    ; mov ecx, DWORD [rbx + l.reg(rn)]
                    ; or rdx, rcx
                    ; add rax, rdx
                    ; mov DWORD [rbx + l.reg(rn)], eax
                    ; shr rax, 32
                );
            }
        }
        dynasm!(self.asm ; .arch x64 ; mov DWORD [rbx + l.reg(rd)], eax);
    }

    /// LDM, STM, PUSH, POP (`Cpu::load_multiple`, `store_multiple`): all the words in one
    /// page that hits the TLB, else the handler.
    #[allow(clippy::too_many_arguments)]
    fn multi(
        &mut self,
        insn: &Insn,
        count: i32,
        load: bool,
        list: u16,
        base: u8,
        start: i32,
        new_base: i32,
        writeback: bool,
        pc_value: u32,
    ) {
        let slow = self.asm.new_dynamic_label();
        let done = self.asm.new_dynamic_label();
        let l = self.layout;
        let bytes = 4 * list.count_ones() as i32;
        let page = crate::bus::PAGE_SIZE as i32;
        dynasm!(self.asm
            ; .arch x64
            ; mov eax, DWORD [rbx + l.reg(base)]
            ; lea esi, [rax + start]
            ; lea edx, [rax + new_base]
            ; mov ecx, esi
            ; and ecx, page - 1
            ; cmp ecx, page - bytes
            ; ja =>slow
        );
        self.tlb(load, 3, bytes, slow);
        let registers = (0..16u8).filter(|i| list & 1 << i != 0);
        let loads_pc = load && list & 0x8000 != 0;
        if loads_pc {
            // The loaded PC, checked before anything changes: in the other state, the handler.
            let at = 4 * (list.count_ones() as i32 - 1);
            dynasm!(self.asm ; .arch x64 ; mov esi, DWORD [r13 + r8 + at]);
            if self.thumb {
                dynasm!(self.asm ; .arch x64 ; test esi, 1 ; jz =>slow ; and esi, -2);
            } else {
                dynasm!(self.asm ; .arch x64 ; test esi, 3 ; jnz =>slow);
            }
        }
        if load {
            if writeback {
                dynasm!(self.asm ; .arch x64 ; mov DWORD [rbx + l.reg(base)], edx);
            }
            for (k, i) in registers.enumerate().filter(|&(_, i)| i != 15) {
                let at = 4 * k as i32;
                dynasm!(self.asm
                    ; .arch x64
                    ; mov r9d, DWORD [r13 + r8 + at]
                    ; mov DWORD [rbx + l.reg(i)], r9d
                );
            }
        } else {
            for (k, i) in registers.enumerate() {
                let at = 4 * k as i32;
                if i == 15 {
                    dynasm!(self.asm ; .arch x64 ; mov DWORD [r13 + r8 + at], pc_value as i32);
                } else {
                    dynasm!(self.asm
                        ; .arch x64
                        ; mov r9d, DWORD [rbx + l.reg(i)]
                        ; mov DWORD [r13 + r8 + at], r9d
                    );
                }
            }
            if writeback {
                dynasm!(self.asm ; .arch x64 ; mov DWORD [rbx + l.reg(base)], edx);
            }
        }
        self.cycles(insn);
        if loads_pc {
            self.same_state_key();
            self.go_to(count, insn.pc, false, true);
        } else {
            dynasm!(self.asm ; .arch x64 ; jmp =>done);
        }
        dynasm!(self.asm ; .arch x64 ; =>slow);
        self.slow(insn, count);
        dynasm!(self.asm ; .arch x64 ; =>done);
    }

    /// LDR, STR, LDRB, STRB, LDRH, STRH, LDRSB, LDRSH with an inline look in the TLB (as `Cpu::read_fast` and
    /// `write_fast` look): a hit on RAM is one host access; anything else is the handler.
    #[allow(clippy::too_many_arguments)]
    fn mem(
        &mut self,
        insn: &Insn,
        count: i32,
        load: bool,
        width: Width,
        rd: u8,
        base: Src,
        offset: Operand,
        up: bool,
        pre: bool,
        writeback: bool,
    ) {
        let slow = self.asm.new_dynamic_label();
        let done = self.asm.new_dynamic_label();
        self.src(base);
        // edx = the moved base, esi = the address.
        match offset {
            Operand::Imm { value, .. } => {
                let moved = if up {
                    value as i32
                } else {
                    (value as i32).wrapping_neg()
                };
                dynasm!(self.asm ; .arch x64 ; lea edx, [rax + moved]);
            }
            Operand::Shifted { .. } | Operand::ByReg { .. } => {
                self.operand(offset, false);
                if up {
                    dynasm!(self.asm ; .arch x64 ; mov edx, eax ; add edx, ecx);
                } else {
                    dynasm!(self.asm ; .arch x64 ; mov edx, eax ; sub edx, ecx);
                }
            }
        }
        if pre {
            dynasm!(self.asm ; .arch x64 ; mov esi, edx);
        } else {
            dynasm!(self.asm ; .arch x64 ; mov esi, eax);
        }
        // Misaligned: a rotated load, or an alignment fault; the handler knows which.
        let bytes = width.bytes();
        self.tlb(load, bytes - 1, bytes as i32, slow);
        let l = self.layout;
        if load {
            match width {
                Width::Byte => dynasm!(self.asm ; .arch x64 ; movzx r9d, BYTE [r13 + r8]),
                Width::Half => dynasm!(self.asm ; .arch x64 ; movzx r9d, WORD [r13 + r8]),
                Width::Word => dynasm!(self.asm ; .arch x64 ; mov r9d, DWORD [r13 + r8]),
                Width::SignedByte => dynasm!(self.asm ; .arch x64 ; movsx r9d, BYTE [r13 + r8]),
                Width::SignedHalf => dynasm!(self.asm ; .arch x64 ; movsx r9d, WORD [r13 + r8]),
            }
            if rd == 15 {
                // A branch; in the other state (or UNPREDICTABLE), the handler's, checked
                // before anything changes.
                dynasm!(self.asm ; .arch x64 ; test r9d, 3 ; jnz =>slow);
            }
            if writeback {
                if let Src::Reg(rn) = base {
                    dynasm!(self.asm ; .arch x64 ; mov DWORD [rbx + l.reg(rn)], edx);
                }
            }
            if rd == 15 {
                dynasm!(self.asm ; .arch x64 ; mov esi, r9d);
                self.same_state_key();
                self.cycles(insn);
                self.go_to(count, insn.pc, false, true);
                dynasm!(self.asm ; .arch x64 ; =>slow);
                return self.slow(insn, count);
            }
            dynasm!(self.asm ; .arch x64 ; mov DWORD [rbx + l.reg(rd)], r9d);
        } else {
            dynasm!(self.asm ; .arch x64 ; mov r9d, DWORD [rbx + l.reg(rd)]);
            match bytes {
                1 => dynasm!(self.asm ; .arch x64 ; mov BYTE [r13 + r8], r9b),
                2 => dynasm!(self.asm ; .arch x64 ; mov WORD [r13 + r8], r9w),
                _ => dynasm!(self.asm ; .arch x64 ; mov DWORD [r13 + r8], r9d),
            }
            if writeback {
                if let Src::Reg(rn) = base {
                    dynasm!(self.asm ; .arch x64 ; mov DWORD [rbx + l.reg(rn)], edx);
                }
            }
        }
        self.cycles(insn);
        dynasm!(self.asm ; .arch x64 ; jmp =>done ; =>slow);
        self.slow(insn, count);
        dynasm!(self.asm ; .arch x64 ; =>done);
    }
}
