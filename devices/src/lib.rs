//! Device models of a TI-Nspire CX class machine.
