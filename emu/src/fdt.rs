//! A flattened device tree (DTB) reader and writer, enough to hand Linux its tree with the
//! `/chosen` node changed (`bootargs`, the initrd range). Format: the Devicetree Specification
//! v0.4, chapter 5 "Flattened Devicetree (DTB) Format".

use std::fmt;

const MAGIC: u32 = 0xD00D_FEED;
const BEGIN_NODE: u32 = 1;
const END_NODE: u32 = 2;
const PROP: u32 = 3;
const NOP: u32 = 4;
const END: u32 = 9;
const HEADER_SIZE: usize = 40;

/// A DTB that cannot be used, with the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FdtError(String);

impl fmt::Display for FdtError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "not a valid device tree blob: {}", self.0)
    }
}

impl std::error::Error for FdtError {}

fn bad(reason: &str) -> FdtError {
    FdtError(reason.to_string())
}

/// A node: its name (with unit address), properties in order, children in order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Node {
    pub name: String,
    pub props: Vec<(String, Vec<u8>)>,
    pub children: Vec<Node>,
}

impl Node {
    pub fn prop(&self, name: &str) -> Option<&[u8]> {
        self.props
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_slice())
    }

    /// Sets a property, replacing its value if it exists.
    pub fn set_prop(&mut self, name: &str, value: Vec<u8>) {
        match self.props.iter_mut().find(|(n, _)| n == name) {
            Some(slot) => slot.1 = value,
            None => self.props.push((name.to_string(), value)),
        }
    }

    pub fn child(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.name == name)
    }

    /// The child named `name`, made empty if it does not exist.
    pub fn child_mut_or_insert(&mut self, name: &str) -> &mut Node {
        let at = match self.children.iter().position(|c| c.name == name) {
            Some(at) => at,
            None => {
                self.children.push(Node {
                    name: name.to_string(),
                    ..Node::default()
                });
                self.children.len() - 1
            }
        };
        &mut self.children[at]
    }
}

/// A whole device tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fdt {
    pub boot_cpuid: u32,
    /// The memory reservation block: (address, size) pairs.
    pub reserved: Vec<(u64, u64)>,
    pub root: Node,
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn u32(&mut self) -> Result<u32, FdtError> {
        let word = self
            .bytes
            .get(self.at..self.at + 4)
            .ok_or_else(|| bad("structure block truncated"))?;
        self.at += 4;
        Ok(u32::from_be_bytes(word.try_into().unwrap_or_default()))
    }

    /// A NUL-terminated string, then padding to a 4-byte boundary.
    fn name(&mut self) -> Result<String, FdtError> {
        let rest = self.bytes.get(self.at..).unwrap_or_default();
        let len = rest
            .iter()
            .position(|&b| b == 0)
            .ok_or_else(|| bad("unterminated node name"))?;
        let name = String::from_utf8_lossy(&rest[..len]).into_owned();
        self.at = (self.at + len + 1 + 3) & !3;
        Ok(name)
    }

    fn bytes(&mut self, len: usize) -> Result<Vec<u8>, FdtError> {
        let value = self
            .bytes
            .get(self.at..self.at.saturating_add(len))
            .ok_or_else(|| bad("property value runs past the structure block"))?
            .to_vec();
        self.at = (self.at + len + 3) & !3;
        Ok(value)
    }
}

fn be32(bytes: &[u8], at: usize) -> Result<u32, FdtError> {
    bytes
        .get(at..at + 4)
        .map(|w| u32::from_be_bytes(w.try_into().unwrap_or_default()))
        .ok_or_else(|| bad("header truncated"))
}

fn string_at(strings: &[u8], offset: u32) -> Result<String, FdtError> {
    let rest = strings
        .get(offset as usize..)
        .ok_or_else(|| bad("property name offset outside the strings block"))?;
    let len = rest
        .iter()
        .position(|&b| b == 0)
        .ok_or_else(|| bad("unterminated property name"))?;
    Ok(String::from_utf8_lossy(&rest[..len]).into_owned())
}

impl Fdt {
    pub fn parse(bytes: &[u8]) -> Result<Fdt, FdtError> {
        if bytes.len() < HEADER_SIZE {
            return Err(bad("shorter than its header"));
        }
        if be32(bytes, 0)? != MAGIC {
            return Err(bad("wrong magic number"));
        }
        let total = be32(bytes, 4)? as usize;
        if total > bytes.len() {
            return Err(bad("header size larger than the file"));
        }
        let bytes = &bytes[..total];
        let struct_off = be32(bytes, 8)? as usize;
        let strings_off = be32(bytes, 12)? as usize;
        let rsv_off = be32(bytes, 16)? as usize;
        if be32(bytes, 24)? > 17 {
            return Err(bad("unsupported version"));
        }
        let boot_cpuid = be32(bytes, 28)?;
        let strings_size = be32(bytes, 32)? as usize;
        let strings = bytes
            .get(strings_off..strings_off.saturating_add(strings_size))
            .ok_or_else(|| bad("strings block outside the blob"))?;

        let mut reserved = Vec::new();
        let mut at = rsv_off;
        loop {
            let read64 = |at: usize| -> Result<u64, FdtError> {
                Ok(((be32(bytes, at)? as u64) << 32) | be32(bytes, at + 4)? as u64)
            };
            let (addr, size) = (read64(at)?, read64(at + 8)?);
            if addr == 0 && size == 0 {
                break;
            }
            reserved.push((addr, size));
            at += 16;
        }

        let mut reader = Reader {
            bytes,
            at: struct_off,
        };
        let mut stack: Vec<Node> = Vec::new();
        let mut root = None;
        loop {
            match reader.u32()? {
                BEGIN_NODE => {
                    if root.is_some() {
                        return Err(bad("a second root node"));
                    }
                    let name = reader.name()?;
                    stack.push(Node {
                        name,
                        ..Node::default()
                    });
                }
                END_NODE => {
                    let node = stack.pop().ok_or_else(|| bad("unbalanced end of node"))?;
                    match stack.last_mut() {
                        Some(parent) => parent.children.push(node),
                        None => root = Some(node),
                    }
                }
                PROP => {
                    let len = reader.u32()? as usize;
                    let name = string_at(strings, reader.u32()?)?;
                    let value = reader.bytes(len)?;
                    stack
                        .last_mut()
                        .ok_or_else(|| bad("property outside any node"))?
                        .props
                        .push((name, value));
                }
                NOP => {}
                END => break,
                _ => return Err(bad("unknown structure token")),
            }
        }
        if !stack.is_empty() {
            return Err(bad("node not closed"));
        }
        let root = root.ok_or_else(|| bad("no root node"))?;
        Ok(Fdt {
            boot_cpuid,
            reserved,
            root,
        })
    }

    /// The blob: version 17, blocks in the usual order (reservations, structure, strings).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut strings: Vec<u8> = Vec::new();
        let mut structure: Vec<u8> = Vec::new();
        fn put(out: &mut Vec<u8>, word: u32) {
            out.extend_from_slice(&word.to_be_bytes());
        }
        fn pad(out: &mut Vec<u8>) {
            while !out.len().is_multiple_of(4) {
                out.push(0);
            }
        }
        fn emit(node: &Node, structure: &mut Vec<u8>, strings: &mut Vec<u8>) {
            put(structure, BEGIN_NODE);
            structure.extend_from_slice(node.name.as_bytes());
            structure.push(0);
            pad(structure);
            for (name, value) in &node.props {
                let offset = find_or_add(strings, name);
                put(structure, PROP);
                put(structure, value.len() as u32);
                put(structure, offset);
                structure.extend_from_slice(value);
                pad(structure);
            }
            for child in &node.children {
                emit(child, structure, strings);
            }
            put(structure, END_NODE);
        }
        fn find_or_add(strings: &mut Vec<u8>, name: &str) -> u32 {
            let mut at = 0;
            for s in strings.split(|&b| b == 0) {
                if s == name.as_bytes() && at < strings.len() {
                    return at as u32;
                }
                at += s.len() + 1;
            }
            let offset = strings.len() as u32;
            strings.extend_from_slice(name.as_bytes());
            strings.push(0);
            offset
        }
        emit(&self.root, &mut structure, &mut strings);
        put(&mut structure, END);

        let rsv_off = HEADER_SIZE;
        let struct_off = rsv_off + 16 * (self.reserved.len() + 1);
        let strings_off = struct_off + structure.len();
        let total = strings_off + strings.len();
        let mut out = Vec::with_capacity(total);
        for word in [
            MAGIC,
            total as u32,
            struct_off as u32,
            strings_off as u32,
            rsv_off as u32,
            17,
            16,
            self.boot_cpuid,
            strings.len() as u32,
            structure.len() as u32,
        ] {
            put(&mut out, word);
        }
        for &(addr, size) in self.reserved.iter().chain([(0, 0)].iter()) {
            out.extend_from_slice(&addr.to_be_bytes());
            out.extend_from_slice(&size.to_be_bytes());
        }
        out.extend_from_slice(&structure);
        out.extend_from_slice(&strings);
        out
    }

    /// Sets a property of `/chosen`, making the node if the tree has none.
    pub fn set_chosen(&mut self, name: &str, value: Vec<u8>) {
        self.root
            .child_mut_or_insert("chosen")
            .set_prop(name, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Fdt {
        Fdt {
            boot_cpuid: 0,
            reserved: vec![(0x1000_0000, 0x1000)],
            root: Node {
                name: String::new(),
                props: vec![("model".into(), b"TI-NSPIRE CX\0".to_vec())],
                children: vec![
                    Node {
                        name: "chosen".into(),
                        props: vec![("bootargs".into(), b"console=ttyAMA0\0".to_vec())],
                        children: vec![],
                    },
                    Node {
                        name: "memory@10000000".into(),
                        props: vec![
                            ("device_type".into(), b"memory\0".to_vec()),
                            ("reg".into(), vec![0x10, 0, 0, 0, 0x04, 0, 0, 0]),
                        ],
                        children: vec![],
                    },
                ],
            },
        }
    }

    #[test]
    fn round_trip() {
        let fdt = sample();
        let bytes = fdt.to_bytes();
        assert_eq!(&bytes[..4], &[0xD0, 0x0D, 0xFE, 0xED]);
        assert_eq!(Fdt::parse(&bytes), Ok(fdt));
    }

    #[test]
    fn chosen_properties_are_replaced_or_added() {
        let mut fdt = sample();
        fdt.set_chosen("bootargs", b"console=tty0\0".to_vec());
        fdt.set_chosen("linux,initrd-start", vec![0x13, 0, 0, 0]);
        let back = Fdt::parse(&fdt.to_bytes()).unwrap();
        let chosen = back.root.child("chosen").unwrap();
        assert_eq!(chosen.prop("bootargs"), Some(&b"console=tty0\0"[..]));
        assert_eq!(
            chosen.prop("linux,initrd-start"),
            Some(&[0x13, 0, 0, 0][..])
        );
        let mut bare = sample();
        bare.root.children.remove(0);
        bare.set_chosen("bootargs", b"x\0".to_vec());
        assert!(bare.root.child("chosen").is_some());
    }

    #[test]
    fn the_linux_guest_dtb_parses_and_round_trips() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../guests/linux-nspire/nspire-cx.dtb"
        );
        let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let fdt = Fdt::parse(&bytes).unwrap();
        assert_eq!(fdt.root.prop("model"), Some(&b"TI-NSPIRE CX\0"[..]));
        let args = fdt.root.child("chosen").and_then(|c| c.prop("bootargs"));
        assert!(args.unwrap().starts_with(b"debug earlyprintk"));
        // The guest's build names the RTC's driver (the stock tree does not).
        let rtc = ["ahb", "apb@90000000", "rtc@90090000"]
            .iter()
            .try_fold(&fdt.root, |node, name| node.child(name));
        assert_eq!(
            rtc.and_then(|n| n.prop("compatible")),
            Some(&b"arm,pl031\0arm,primecell\0"[..])
        );
        assert_eq!(Fdt::parse(&fdt.to_bytes()), Ok(fdt));
    }

    #[test]
    fn garbage_is_refused_without_panicking() {
        assert!(Fdt::parse(b"").is_err());
        assert!(Fdt::parse(&[0u8; 64]).is_err());
        let bytes = sample().to_bytes();
        for cut in 0..bytes.len() {
            let mut truncated = bytes[..cut].to_vec();
            if truncated.len() >= 8 {
                truncated[4..8].copy_from_slice(&(cut as u32).to_be_bytes());
            }
            assert!(Fdt::parse(&truncated).is_err(), "cut at {cut}");
        }
        let mut flipped = bytes.clone();
        for i in 0..flipped.len() {
            flipped[i] ^= 0xFF;
            let _ = Fdt::parse(&flipped);
            flipped[i] ^= 0xFF;
        }
    }
}
