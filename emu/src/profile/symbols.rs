//! The functions the profiler names what it counts by: the code symbols of the debugger's
//! symbol table ([`crate::symbols`]: an ELF file's functions, a System.map's text symbols),
//! kept sorted by address with one name each.

/// A function: where it starts, how long it is (0 if the symbol does not say), its name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Function {
    pub addr: u32,
    pub size: u32,
    pub name: String,
}

/// Functions sorted by address, to find the one holding an address.
#[derive(Clone, Debug, Default)]
pub struct Symbols {
    functions: Vec<Function>,
}

impl Symbols {
    /// The functions among `names` (an address with several names keeps the one the
    /// debugger prefers, which comes first).
    pub fn from_names(names: &crate::symbols::Symbols) -> Symbols {
        let mut functions: Vec<Function> = names
            .iter()
            .filter(|s| s.code)
            .map(|s| Function {
                addr: s.addr,
                size: s.size,
                name: s.name.clone(),
            })
            .collect();
        functions.sort_by_key(|f| f.addr);
        functions.dedup_by_key(|f| f.addr);
        Symbols { functions }
    }

    pub fn is_empty(&self) -> bool {
        self.functions.is_empty()
    }

    /// The function holding `addr`: the last starting at or before it, if `addr` lies within
    /// its size (or it has none).
    pub fn function_at(&self, addr: u32) -> Option<&Function> {
        let index = self.functions.partition_point(|f| f.addr <= addr);
        let function = self.functions.get(index.checked_sub(1)?)?;
        (function.size == 0 || addr - function.addr < function.size).then_some(function)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::symbols::Symbol;

    /// Only code is a function; an address named twice keeps one name; an address past a
    /// sized function is in none.
    #[test]
    fn functions_are_the_code_symbols() {
        let symbol = |name: &str, addr, size, code| Symbol {
            name: name.to_string(),
            addr,
            size,
            code,
            thumb: false,
            global: true,
            data: !code,
        };
        let names = crate::symbols::Symbols::from_list(
            vec![
                symbol("main", 0x100, 0x20, true),
                symbol("table", 0x120, 0x40, false),
                symbol("leaf", 0x200, 8, true),
                symbol("_leaf", 0x200, 8, true),
            ],
            "test",
        );
        let functions = Symbols::from_names(&names);
        assert_eq!(
            functions.function_at(0x104).map(|f| f.name.as_str()),
            Some("main")
        );
        assert_eq!(functions.function_at(0x130), None);
        assert_eq!(
            functions.function_at(0x204).map(|f| f.name.as_str()),
            Some("leaf")
        );
        assert_eq!(functions.function_at(0x208), None);
    }
}
