//! The cycle model against the ARM9EJ-S TRM (ARM DDI 0222B) chapter 8: sequences of
//! instructions timed by the CPU's clock, each expected count read from Table 8.2 (ARM), Table
//! 8.3 (Thumb) or the interlock examples of the ARM9E-S family's TRMs (encodings from GNU as).

use super::psr::{F, I, T, Z};
use super::*;
use crate::bus::FlatBus;

const CODE: u32 = 0x1000;
const DATA: u32 = 0x2000;

/// The cycles the first `n` instructions of `code` take, from a CPU in SVC mode with r8 and r9
/// pointing at data, r4 at a branch target, and Z as `z` says.
fn cycles(code: &[u32], thumb: bool, n: u64, z: bool) -> u64 {
    let mut bus = FlatBus::new(0x10000);
    let mut at = CODE;
    for &word in code {
        if thumb {
            bus.load(at, &(word as u16).to_le_bytes());
            at += 2;
        } else {
            bus.load(at, &word.to_le_bytes());
            at += 4;
        }
    }
    // Data the loads read: a valid branch target for the PC loads, in the state the code is in.
    for i in 0..16 {
        bus.load(DATA + 4 * i, &(CODE + 0x800 + thumb as u32).to_le_bytes());
    }
    let mut cpu = Cpu::new();
    let flags = if z { Z } else { 0 };
    let thumb_bit = if thumb { T } else { 0 };
    cpu.set_cpsr(Mode::Supervisor as u32 | I | F | flags | thumb_bit);
    cpu.set_pc(CODE);
    cpu.set_reg(1, DATA);
    cpu.set_reg(2, 0xFFFF_FFFF);
    cpu.set_reg(4, CODE + 0x800);
    cpu.set_reg(8, DATA);
    cpu.set_reg(9, DATA + 0x100);
    cpu.set_reg(13, DATA);
    cpu.set_reg(14, CODE + 0x800);
    let start = cpu.cycles();
    assert_eq!(cpu.run(&mut bus, n), Stop::Budget);
    assert_eq!(cpu.instructions(), n);
    cpu.cycles() - start
}

fn arm(code: &[u32]) -> u64 {
    cycles(code, false, code.len() as u64, false)
}

fn thumb(code: &[u32]) -> u64 {
    cycles(code, true, code.len() as u64, false)
}

const ADD_R0_1: u32 = 0xE280_0001;
const MOV_R3_R3: u32 = 0xE1A0_3003;

#[test]
fn data_operations_take_one_cycle_and_two_with_a_register_shift() {
    assert_eq!(arm(&[ADD_R0_1; 10]), 10);
    // add r0, r1, r2, lsl r3
    assert_eq!(arm(&[0xE081_0312; 10]), 20);
}

#[test]
fn multiplies_take_the_same_cycles_whatever_rs_holds() {
    // The ARM9EJ-S multiplier does not terminate early: MUL 2, MULS 4, MLA 2, UMULL 3,
    // UMULLS 5, SMLALxy 2 cycles, with Rs (r2) all ones here and 1 below.
    let muls = [
        (0xE000_0291, 2), // mul r0, r1, r2
        (0xE010_0291, 4), // muls r0, r1, r2
        (0xE020_3291, 2), // mla r0, r1, r2, r3
        (0xE081_0392, 3), // umull r0, r1, r2, r3
        (0xE091_0392, 5), // umulls r0, r1, r2, r3
        (0xE141_0382, 2), // smlalbb r0, r1, r2, r3
    ];
    for (insn, each) in muls {
        assert_eq!(arm(&[insn; 8]), 8 * each, "{insn:#010x}, Rs all ones");
        let mut small_rs = vec![0xE3A0_2001]; // mov r2, #1
        small_rs.extend([insn; 8]);
        assert_eq!(arm(&small_rs), 1 + 8 * each, "{insn:#010x}, Rs = 1");
    }
    // Thumb's MUL sets the flags: 4 cycles.
    assert_eq!(thumb(&[0x4348; 4]), 16);
}

#[test]
fn block_transfers_take_a_cycle_per_register() {
    // LDM/STM of 1 register: 2 cycles; of n > 1: n (Table 8.2). A MOV between them keeps the
    // last loaded register's interlock out of the count.
    let mov_r10_r10 = 0xE1A0_A00A;
    assert_eq!(arm(&[0xE898_0001, mov_r10_r10]), 2 + 1);
    assert_eq!(arm(&[0xE898_000F, mov_r10_r10]), 4 + 1);
    assert_eq!(arm(&[0xE898_00FF, mov_r10_r10]), 8 + 1);
    assert_eq!(arm(&[0xE889_0001]), 2);
    assert_eq!(arm(&[0xE889_00FF]), 8);
    // LDM of n registers with the PC: n + 4 cycles.
    assert_eq!(arm(&[0xE898_8001]), 6);
    // Thumb's POP {r0, pc}: the same.
    assert_eq!(thumb(&[0xBD01]), 6);
}

#[test]
fn a_load_used_by_the_next_instruction_waits() {
    let ldr = 0xE598_0000; // ldr r0, [r8]
                           // add r1, r0, #1 uses the word a cycle late; add r1, r2, #1 does not use it.
    assert_eq!(arm(&[ldr, 0xE280_1001]), 3);
    assert_eq!(arm(&[ldr, 0xE282_1001]), 2);
    // One instruction between them hides the interlock.
    assert_eq!(arm(&[ldr, MOV_R3_R3, 0xE280_1001]), 3);
    // The TRM's example: a byte loaded and used at once costs 2 cycles, and the ADD after
    // that nothing (ldrb r0, [r8, #1]; add r2, r0, r3; add r4, r0, r5).
    assert_eq!(arm(&[0xE5D8_0001, 0xE080_2003, 0xE080_4005]), 5);
    // A halfword waits as a byte does (ldrh r0, [r8]; add r1, r0, #1).
    assert_eq!(arm(&[0xE1D8_00B0, 0xE280_1001]), 4);
    // A store of the loaded word waits too: no forwarding to the store data port
    // (ldr r0, [r8]; str r0, [r9]).
    assert_eq!(arm(&[ldr, 0xE589_0000]), 3);
    // After an LDM only its last register waits (ldm r8, {r0-r2}; add r4, r2 / r0, #1).
    assert_eq!(arm(&[0xE898_0007, 0xE282_4001]), 3 + 1 + 1);
    assert_eq!(arm(&[0xE898_0007, 0xE280_4001]), 3 + 1);
    // Thumb: ldr r0, [r1]; adds r2, r0, #1 / adds r2, r3, #1.
    assert_eq!(thumb(&[0x6808, 0x1C42]), 3);
    assert_eq!(thumb(&[0x6808, 0x1C5A]), 2);
}

#[test]
fn scaled_offsets_and_swaps_take_two_cycles() {
    // ldr r0, [r8, r1, lsl #2] with r1 = 0; ldr r0, [r8, r1] takes 1.
    let mut code = vec![0xE3A0_1000]; // mov r1, #0
    code.extend([0xE798_0101, MOV_R3_R3]);
    assert_eq!(arm(&code), 1 + 2 + 1);
    code[1] = 0xE798_0001;
    assert_eq!(arm(&code), 1 + 1 + 1);
    // swp r0, r1, [r8]; swpb r0, r1, [r8]
    assert_eq!(arm(&[0xE108_0091, MOV_R3_R3]), 3);
    assert_eq!(arm(&[0xE148_0091, MOV_R3_R3]), 3);
}

#[test]
fn branches_and_pc_writes_refill_the_pipeline() {
    // B, BL, BX: 3 cycles.
    assert_eq!(arm(&[0xEAFF_FFFE]), 3);
    assert_eq!(arm(&[0xEBFF_FFFE]), 3);
    assert_eq!(arm(&[0xE12F_FF1E]), 3);
    // BEQ: 3 taken, 1 not.
    assert_eq!(cycles(&[0x0AFF_FFFE], false, 1, true), 3);
    assert_eq!(cycles(&[0x0AFF_FFFE], false, 1, false), 1);
    // MOV pc, lr: a logical result, 4 cycles; ADD pc, r4, #0: arithmetic, 3; LDR pc: 5.
    assert_eq!(arm(&[0xE1A0_F00E]), 4);
    assert_eq!(arm(&[0xE284_F000]), 3);
    assert_eq!(arm(&[0xE598_F000]), 5);
    // Thumb: B 3, the BL pair 1 + 3.
    assert_eq!(thumb(&[0xE7FE]), 3);
    assert_eq!(thumb(&[0xF7FF, 0xFFFE]), 4);
}

#[test]
fn a_loop_of_subs_and_bne_takes_four_cycles_an_iteration() {
    // mov r0, #100; loop: subs r0, r0, #1; bne loop: 1 + 99 * (1 + 3) + (1 + 1).
    let code = [0xE3A0_0064, 0xE250_0001, 0x1AFF_FFFD];
    assert_eq!(cycles(&code, false, 1 + 200, false), 1 + 99 * 4 + 2);
}

#[test]
fn failed_conditions_take_one_cycle() {
    // mulne, ldmne with Z set: 1 cycle each, whatever they would have taken.
    assert_eq!(cycles(&[0x1000_0291, 0x1898_00FF], false, 2, true), 2);
}

#[test]
fn status_and_coprocessor_transfers() {
    // MRS 2; MSR of the control field 3, of the flags alone 1; MRC 2.
    assert_eq!(arm(&[0xE10F_0000]), 2);
    assert_eq!(arm(&[0xE10F_0000, 0xE121_F000]), 2 + 3);
    assert_eq!(arm(&[0xE128_F000]), 1);
    assert_eq!(arm(&[0xEE11_0F10]), 2);
    // Thumb's register shift (lsls r0, r1): 2 cycles.
    assert_eq!(thumb(&[0x4088]), 2);
}

#[test]
fn a_run_stops_after_the_instruction_reaching_its_deadline() {
    // LDMs of 8 registers, 8 cycles each: a deadline 20 cycles on stops the run after the
    // third, at cycle 24, late by less than an instruction.
    let mut bus = FlatBus::new(0x10000);
    for i in 0..16 {
        bus.load(CODE + 4 * i, &0xE898_00FFu32.to_le_bytes());
    }
    let mut cpu = Cpu::new();
    cpu.set_pc(CODE);
    cpu.set_reg(8, DATA);
    let start = cpu.cycles();
    assert_eq!(cpu.run_until(&mut bus, 100, start + 20), Stop::Budget);
    assert_eq!(cpu.instructions(), 3);
    assert_eq!(cpu.cycles() - start, 24);
    // A deadline already reached still lets one instruction run.
    assert_eq!(cpu.run_until(&mut bus, 100, 0), Stop::Budget);
    assert_eq!(cpu.instructions(), 4);
}
