//! Linux's `System.map`, as `nm -n` writes it: `ADDRESS TYPE NAME` a line, the address in
//! hexadecimal, the type one letter (upper case for a global symbol: `T`/`t` text, `D`/`d`
//! data, `B`/`b` bss, `R`/`r` read-only data, `W`/`w` weak, `A` absolute...).

use super::Symbol;

/// The symbols of a System.map. Absolute (`A`) and undefined (`U`) symbols are not places in
/// memory and are left out; a line that is not `ADDRESS TYPE NAME` is an error naming it.
pub(super) fn parse(text: &str) -> Result<Vec<Symbol>, String> {
    let mut symbols = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let bad = || {
            format!(
                "line {}: '{}' is not 'ADDRESS TYPE NAME' as a System.map has",
                index + 1,
                line.chars().take(60).collect::<String>()
            )
        };
        let mut words = line.split_whitespace();
        let (Some(addr), Some(kind), Some(name)) = (words.next(), words.next(), words.next())
        else {
            return Err(bad());
        };
        let addr = u32::from_str_radix(addr, 16).map_err(|_| bad())?;
        let mut letters = kind.chars();
        let (Some(letter), None) = (letters.next(), letters.next()) else {
            return Err(bad());
        };
        if !letter.is_ascii_alphabetic() && letter != '?' {
            return Err(bad());
        }
        let lower = letter.to_ascii_lowercase();
        if matches!(lower, 'a' | 'u') || name.starts_with('$') {
            continue;
        }
        symbols.push(Symbol {
            name: name.to_string(),
            addr,
            size: 0,
            code: lower == 't' || lower == 'w',
            thumb: false,
            global: letter.is_ascii_uppercase(),
            data: matches!(lower, 'd' | 'b' | 'r' | 'g' | 's' | 'v'),
        });
    }
    if symbols.is_empty() {
        return Err("no symbols in it".to_string());
    }
    Ok(symbols)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines() {
        let symbols = parse(
            "0000000c A cpu_arm926_suspend_size\nc0008000 T stext\nc03d2acc T start_kernel\n\
             c0500000 b static_buffer\n",
        )
        .unwrap();
        let names: Vec<(&str, u32, bool, bool)> = symbols
            .iter()
            .map(|s| (s.name.as_str(), s.addr, s.code, s.global))
            .collect();
        assert_eq!(
            names,
            [
                ("stext", 0xc000_8000, true, true),
                ("start_kernel", 0xc03d_2acc, true, true),
                ("static_buffer", 0xc050_0000, false, false)
            ]
        );
    }

    #[test]
    fn not_a_map() {
        assert!(parse("int main(void) { return 0; }\n")
            .unwrap_err()
            .starts_with("line 1:"));
        assert!(parse("zz T name\n").is_err());
        assert!(parse("\n\n").is_err());
    }
}
