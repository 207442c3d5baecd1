//! The OS's calls on paths and folders: `stat`, `mkdir`, `rmdir`, `unlink`, `remove`, `rename`,
//! the current folder (`chdir`, `getcwd`, Nucleus's `NU_Set_Current_Dir`, `NU_Current_Dir`),
//! folder listings (`opendir`, `readdir`, `closedir`; Nucleus's `NU_Get_First`, `NU_Get_Next`,
//! `NU_Done`) and `get_documents_dir`, over [`super::documents`].
//!
//! The C calls return 0 or -1 with errno set; the Nucleus ones return 0 or Nucleus FILE's
//! `NUF_NOFILE` (-3024). What TI-OS gives, as Ndless's own tests of it show: `getcwd` is
//! `/documents/` (a separator after the last name), `NU_Current_Dir` `\documents\`, paths may
//! carry a drive (`A:\*.*`), `readdir` and `NU_Get_First` give names alone, and `/` lists no
//! `.` or `..`.

use std::collections::BTreeMap;
use std::fs;

use super::documents::{answer, Entry, Errno, Failure, Node};
use super::{string, Answer, Call, Ndless};
use crate::guest::{GuestMemory, MemoryError};

const MKDIR: u32 = 15;
const RMDIR: u32 = 16;
const CHDIR: u32 = 17;
const STAT: u32 = 18;
const UNLINK: u32 = 19;
const RENAME: u32 = 20;
const NU_GET_FIRST: u32 = 23;
const NU_GET_NEXT: u32 = 24;
const NU_DONE: u32 = 25;
const NU_CURRENT_DIR: u32 = 34;
const NU_SET_CURRENT_DIR: u32 = 53;
const REMOVE: u32 = 70;
const OPENDIR: u32 = 95;
const READDIR: u32 = 96;
const CLOSEDIR: u32 = 97;
const GETCWD: u32 = 265;
const GET_DOCUMENTS_DIR: u32 = 297;

/// The OS calls answered here.
pub const NUMBERS: &[u32] = &[
    MKDIR,
    RMDIR,
    CHDIR,
    STAT,
    UNLINK,
    RENAME,
    NU_GET_FIRST,
    NU_GET_NEXT,
    NU_DONE,
    NU_CURRENT_DIR,
    NU_SET_CURRENT_DIR,
    REMOVE,
    OPENDIR,
    READDIR,
    CLOSEDIR,
    GETCWD,
    GET_DOCUMENTS_DIR,
];

/// Nucleus FILE's "file not found or path to file not found".
const NUF_NOFILE: u32 = -3024i32 as u32;
/// -1, as the C calls fail.
const FAILED: u32 = u32::MAX;

/// `struct nuc_stat` (the SDK's nucleus.h): 36 bytes, the mode at 8, the size at 20, then the
/// access, modification and change times.
const STAT_SIZE: usize = 36;
const S_IFDIR: u32 = 0o040000;
const S_IFREG: u32 = 0o100000;

/// `struct dstat` (nucleus.h): the 8.3 name (9 + 4 bytes), the long name at 13 (266 bytes),
/// the attributes at 279, the size at 288; 308 bytes in all.
const DSTAT_SIZE: usize = 308;
const DSTAT_NAME: usize = 13;
const DSTAT_ATTRIBUTES: usize = 279;
const DSTAT_SIZE_AT: usize = 288;
/// The FAT attribute of a folder.
const ATTRIBUTE_FOLDER: u8 = 0x10;

/// The block `opendir` gives: the count of entries read, then the `struct nuc_dirent` that
/// `readdir` fills (its name at 0).
const DIR_SIZE: u32 = 4 + 256;
const DIRENT: u32 = 4;
/// How many listings may be open at once, of each kind.
const MAX_LISTINGS: usize = 64;

const DOCUMENTS_DIR: &[u8] = b"/documents/\0";

/// A folder's entries, and how many were given.
struct Listing {
    entries: Vec<Entry>,
    next: usize,
}

impl Listing {
    fn next(&mut self) -> Option<&Entry> {
        let entry = self.entries.get(self.next)?;
        self.next += 1;
        Some(entry)
    }
}

/// The open listings.
#[derive(Default)]
pub struct Table {
    /// `opendir`'s, by the DIR block's address.
    dirs: BTreeMap<u32, Listing>,
    /// `NU_Get_First`'s, by the DSTAT's address, oldest first (a program that never calls
    /// `NU_Done` loses its oldest when there are too many).
    searches: Vec<(u32, Listing)>,
}

/// Answers OS call `index`, one of [`NUMBERS`].
pub fn call(
    ndless: &mut Ndless,
    index: u32,
    call: &Call,
    mem: &mut dyn GuestMemory,
) -> Result<Answer, MemoryError> {
    let [a, b, ..] = call.args;
    let (result, failed) = match index {
        STAT => (stat(ndless, mem, a, b), FAILED),
        MKDIR => (change(ndless, mem, a, mkdir), FAILED),
        RMDIR => (change(ndless, mem, a, rmdir), FAILED),
        UNLINK => (change(ndless, mem, a, unlink), FAILED),
        REMOVE => (change(ndless, mem, a, remove), FAILED),
        RENAME => (rename(ndless, mem, a, b), FAILED),
        CHDIR => (chdir(ndless, mem, a), FAILED),
        NU_SET_CURRENT_DIR => (chdir(ndless, mem, a), NUF_NOFILE),
        GETCWD => (getcwd(ndless, mem, a, b), 0),
        NU_CURRENT_DIR => {
            let mut cwd = ndless.documents.cwd('\\').into_bytes();
            cwd.push(0);
            mem.write_bytes(b, &cwd)?;
            (Ok(0), 0)
        }
        GET_DOCUMENTS_DIR => (documents_dir(ndless, mem), 0),
        OPENDIR => (opendir(ndless, mem, a), 0),
        READDIR => (readdir(ndless, mem, a), 0),
        CLOSEDIR => (closedir(ndless, mem, a), FAILED),
        NU_GET_FIRST => {
            let found = get_first(ndless, mem, a, b)?;
            return Ok(Answer::Value(if found { 0 } else { NUF_NOFILE }));
        }
        NU_GET_NEXT => {
            let searches = &mut ndless.documents.dirs.searches;
            let entry = searches
                .iter_mut()
                .find(|(dstat, _)| *dstat == a)
                .and_then(|(_, listing)| listing.next());
            return Ok(Answer::Value(match entry {
                Some(entry) => {
                    write_dstat(mem, a, entry)?;
                    0
                }
                None => NUF_NOFILE,
            }));
        }
        NU_DONE => {
            ndless
                .documents
                .dirs
                .searches
                .retain(|(dstat, _)| *dstat != a);
            (Ok(0), 0)
        }
        _ => return Ok(Answer::Unsupported),
    };
    answer(mem, result, failed)
}

fn stat(
    ndless: &mut Ndless,
    mem: &mut dyn GuestMemory,
    path: u32,
    buf: u32,
) -> Result<u32, Failure> {
    let documents = &ndless.documents;
    let node = documents.node(&string(mem, path)?)?;
    let info = documents.info(&node)?;
    let writable = info.writable && documents.writable() && node != Node::Root;
    let permissions = match (info.dir, writable) {
        (true, true) => 0o777,
        (true, false) => 0o555,
        (false, true) => 0o666,
        (false, false) => 0o444,
    };
    let mode = permissions | if info.dir { S_IFDIR } else { S_IFREG };
    let size = info.size.min(u64::from(u32::MAX)) as u32;
    let mut st = [0u8; STAT_SIZE];
    let mut put = |at: usize, value: u32| st[at..at + 4].copy_from_slice(&value.to_le_bytes());
    put(8, mode);
    put(20, size);
    for at in [24, 28, 32] {
        put(at, info.modified);
    }
    st[12] = 1; // st_nlink
    mem.write_bytes(buf, &st)?;
    Ok(0)
}

/// A call that changes the node at `path`.
fn change(
    ndless: &mut Ndless,
    mem: &mut dyn GuestMemory,
    path: u32,
    op: fn(Node) -> Result<(), Errno>,
) -> Result<u32, Failure> {
    let node = ndless.documents.node_to_change(&string(mem, path)?)?;
    op(node)?;
    Ok(0)
}

fn mkdir(node: Node) -> Result<(), Errno> {
    match node {
        Node::Root | Node::Documents => Err(Errno::EEXIST),
        Node::Missing(errno) => Err(errno),
        Node::Host(path) => Ok(fs::create_dir(path)?),
    }
}

fn rmdir(node: Node) -> Result<(), Errno> {
    match node {
        Node::Root | Node::Documents => Err(Errno::EACCES),
        Node::Missing(_) => Err(Errno::ENOENT),
        Node::Host(path) => {
            if !fs::symlink_metadata(&path)?.is_dir() {
                return Err(Errno::ENOTDIR);
            }
            Ok(fs::remove_dir(path)?)
        }
    }
}

fn unlink(node: Node) -> Result<(), Errno> {
    match node {
        Node::Root | Node::Documents => Err(Errno::EISDIR),
        Node::Missing(_) => Err(Errno::ENOENT),
        Node::Host(path) => {
            if fs::symlink_metadata(&path)?.is_dir() {
                return Err(Errno::EISDIR);
            }
            Ok(fs::remove_file(path)?)
        }
    }
}

/// A file, or an empty folder.
fn remove(node: Node) -> Result<(), Errno> {
    match &node {
        Node::Host(path) if fs::symlink_metadata(path)?.is_dir() => rmdir(node),
        _ => unlink(node),
    }
}

fn rename(
    ndless: &mut Ndless,
    mem: &mut dyn GuestMemory,
    from: u32,
    to: u32,
) -> Result<u32, Failure> {
    let documents = &ndless.documents;
    let from = documents.node_to_change(&string(mem, from)?)?;
    let to = documents.node_to_change(&string(mem, to)?)?;
    let from = match from {
        Node::Root | Node::Documents => return Err(Errno::EACCES.into()),
        Node::Missing(_) => return Err(Errno::ENOENT.into()),
        Node::Host(path) => path,
    };
    match to {
        Node::Root | Node::Documents => Err(Errno::EACCES.into()),
        Node::Missing(errno) => Err(errno.into()),
        Node::Host(to) => {
            fs::symlink_metadata(&from)?;
            fs::rename(from, to)?;
            Ok(0)
        }
    }
}

fn chdir(ndless: &mut Ndless, mem: &mut dyn GuestMemory, path: u32) -> Result<u32, Failure> {
    let names = ndless.documents.names(&string(mem, path)?)?;
    ndless.documents.set_cwd(names)?;
    Ok(0)
}

/// `getcwd(buf, size)`; with `buf` NULL, a block of the heap (of `size` bytes, or as many as
/// needed if that is 0), which the program frees.
fn getcwd(
    ndless: &mut Ndless,
    mem: &mut dyn GuestMemory,
    buf: u32,
    size: u32,
) -> Result<u32, Failure> {
    let mut cwd = ndless.documents.cwd('/').into_bytes();
    cwd.push(0);
    let needed = cwd.len() as u32;
    let buf = match buf {
        0 => {
            let size = if size == 0 { needed } else { size };
            if size < needed {
                return Err(Errno::ERANGE.into());
            }
            match ndless.heap.alloc(mem, size)? {
                0 => return Err(Errno::ENOMEM.into()),
                block => block,
            }
        }
        _ if size == 0 => return Err(Errno::EINVAL.into()),
        _ if size < needed => return Err(Errno::ERANGE.into()),
        buf => buf,
    };
    mem.write_bytes(buf, &cwd)?;
    Ok(buf)
}

/// `"/documents/"`, in a block of the heap made at the first call (0 if there is no room).
fn documents_dir(ndless: &mut Ndless, mem: &mut dyn GuestMemory) -> Result<u32, Failure> {
    if ndless.documents.documents_dir == 0 {
        ndless.documents.documents_dir = ndless.heap.alloc(mem, DOCUMENTS_DIR.len() as u32)?;
    }
    let at = ndless.documents.documents_dir;
    if at != 0 {
        // Written again each time: the program may have written over it.
        mem.write_bytes(at, DOCUMENTS_DIR)?;
    }
    Ok(at)
}

fn opendir(ndless: &mut Ndless, mem: &mut dyn GuestMemory, path: u32) -> Result<u32, Failure> {
    let documents = &ndless.documents;
    let node = documents.node(&string(mem, path)?)?;
    let entries = documents.list(&node)?;
    if documents.dirs.dirs.len() >= MAX_LISTINGS {
        return Err(Errno::EMFILE.into());
    }
    let block = ndless.heap.alloc(mem, DIR_SIZE)?;
    if block == 0 {
        return Err(Errno::ENOMEM.into());
    }
    mem.write_bytes(block, &[0; DIR_SIZE as usize])?;
    let listing = Listing { entries, next: 0 };
    ndless.documents.dirs.dirs.insert(block, listing);
    Ok(block)
}

/// The next entry's `struct nuc_dirent`, in the DIR block; NULL at the end.
fn readdir(ndless: &mut Ndless, mem: &mut dyn GuestMemory, dir: u32) -> Result<u32, Failure> {
    let listing = ndless
        .documents
        .dirs
        .dirs
        .get_mut(&dir)
        .ok_or(Errno::EBADF)?;
    let Some(entry) = listing.next() else {
        return Ok(0);
    };
    let mut name = entry.name.clone().into_bytes();
    name.push(0);
    mem.write_u32(dir, listing.next as u32)?;
    mem.write_bytes(dir + DIRENT, &name)?;
    Ok(dir + DIRENT)
}

fn closedir(ndless: &mut Ndless, mem: &mut dyn GuestMemory, dir: u32) -> Result<u32, Failure> {
    ndless
        .documents
        .dirs
        .dirs
        .remove(&dir)
        .ok_or(Errno::EBADF)?;
    if ndless.heap.free(mem, dir).is_err() {
        log::debug!("closedir: the DIR block at {dir:#x} is not a heap block in use");
    }
    Ok(0)
}

/// `NU_Get_First(dstat, pattern)`: the first entry whose name fits the pattern's last part
/// (`*` and `?`, any case; `*.*` fits every name), in the folder its other parts name, written
/// to the DSTAT; false if there is none.
fn get_first(
    ndless: &mut Ndless,
    mem: &mut dyn GuestMemory,
    dstat: u32,
    pattern: u32,
) -> Result<bool, MemoryError> {
    let pattern = string(mem, pattern)?;
    let documents = &mut ndless.documents;
    let searches = &mut documents.dirs.searches;
    searches.retain(|(at, _)| *at != dstat);
    let split = pattern.iter().rposition(|&c| c == b'/' || c == b'\\');
    let (folder, name) = match split {
        Some(at) => (&pattern[..=at], &pattern[at + 1..]),
        None => {
            let name = match &pattern[..] {
                [drive, b':', rest @ ..] if drive.is_ascii_alphabetic() => rest,
                _ => &pattern[..],
            };
            (&b"."[..], name)
        }
    };
    let name = if name.is_empty() { &b"*"[..] } else { name };
    let entries = match documents
        .node(folder)
        .and_then(|node| documents.list(&node))
    {
        Ok(entries) => entries,
        Err(_) => return Ok(false),
    };
    let mut listing = Listing {
        entries: entries
            .into_iter()
            .filter(|entry| fits(name, entry.name.as_bytes()))
            .collect(),
        next: 0,
    };
    let Some(first) = listing.next() else {
        return Ok(false);
    };
    write_dstat(mem, dstat, first)?;
    let searches = &mut documents.dirs.searches;
    if searches.len() >= MAX_LISTINGS {
        searches.remove(0);
    }
    searches.push((dstat, listing));
    Ok(true)
}

/// Whether `name` fits the pattern (`*` any run of characters, `?` any one, letters in any
/// case; `*.*` fits every name, as on FAT).
fn fits(pattern: &[u8], name: &[u8]) -> bool {
    if pattern == b"*.*" {
        return true;
    }
    // The last `*` seen, and where in the name it began matching: on a mismatch it takes one
    // more character.
    let (mut p, mut n) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while n < name.len() {
        match pattern.get(p) {
            Some(b'*') => {
                star = Some((p, n));
                p += 1;
            }
            Some(&c) if c == b'?' || c.eq_ignore_ascii_case(&name[n]) => {
                p += 1;
                n += 1;
            }
            _ => match star {
                Some((at, from)) => {
                    star = Some((at, from + 1));
                    p = at + 1;
                    n = from + 1;
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|&c| c == b'*')
}

/// Fills the DSTAT at `at` with `entry`: its 8.3 name (upper case), its name, a folder's
/// attribute, its size.
fn write_dstat(mem: &mut dyn GuestMemory, at: u32, entry: &Entry) -> Result<(), MemoryError> {
    let mut dstat = [0u8; DSTAT_SIZE];
    let name = entry.name.as_bytes();
    let (stem, extension) = match name.iter().rposition(|&c| c == b'.') {
        Some(dot) if dot > 0 => (&name[..dot], &name[dot + 1..]),
        _ => (name, &[][..]),
    };
    for (to, from) in dstat[..8].iter_mut().zip(stem) {
        *to = from.to_ascii_uppercase();
    }
    for (to, from) in dstat[9..12].iter_mut().zip(extension) {
        *to = from.to_ascii_uppercase();
    }
    dstat[DSTAT_NAME..DSTAT_NAME + name.len()].copy_from_slice(name);
    if entry.dir {
        dstat[DSTAT_ATTRIBUTES] = ATTRIBUTE_FOLDER;
    }
    let size = entry.size.min(u64::from(u32::MAX)) as u32;
    dstat[DSTAT_SIZE_AT..DSTAT_SIZE_AT + 4].copy_from_slice(&size.to_le_bytes());
    mem.write_bytes(at, &dstat)
}

#[cfg(test)]
mod tests {
    use super::super::documents::fixture::{Guest, TempDir};
    use super::*;

    impl Guest {
        /// A call given one path.
        fn on(&mut self, number: u32, path: &str) -> u32 {
            let path = self.put(path);
            self.call(number, &[path])
        }

        /// stat's (mode, size, mtime), or its errno.
        fn stat(&mut self, path: &str) -> Result<(u32, u32, u32), u32> {
            let (path, buf) = (self.put(path), self.buffer(STAT_SIZE as u32));
            match self.call(STAT, &[path, buf]) {
                0 => Ok((self.word(buf + 8), self.word(buf + 20), self.word(buf + 28))),
                _ => Err(self.errno()),
            }
        }

        fn getcwd(&mut self) -> String {
            let buf = self.buffer(300);
            assert_eq!(self.call(GETCWD, &[buf, 300]), buf);
            self.text(buf)
        }

        /// opendir, readdir to the end, closedir.
        fn list(&mut self, path: &str) -> Vec<String> {
            let dir = self.on(OPENDIR, path);
            assert_ne!(dir, 0, "opendir {path}: errno {}", self.errno());
            let mut names = Vec::new();
            loop {
                match self.call(READDIR, &[dir]) {
                    0 => break,
                    entry => names.push(self.text(entry)),
                }
            }
            assert_eq!(self.call(CLOSEDIR, &[dir]), 0);
            names
        }

        /// NU_Get_First, NU_Get_Next to the end, NU_Done: each entry's name, 8.3 name,
        /// attributes and size.
        fn search(&mut self, pattern: &str) -> Vec<(String, String, u8, u32)> {
            let (dstat, pattern) = (self.buffer(DSTAT_SIZE as u32), self.put(pattern));
            let mut found = Vec::new();
            let mut status = self.call(NU_GET_FIRST, &[dstat, pattern]);
            while status == 0 {
                let bytes = self.bytes(dstat, DSTAT_SIZE as u32);
                let short = |at: usize, len: usize| {
                    let field = &bytes[at..at + len];
                    let end = field.iter().position(|&b| b == 0).unwrap();
                    String::from_utf8(field[..end].to_vec()).unwrap()
                };
                let short_name = format!("{}.{}", short(0, 9), short(9, 4));
                found.push((
                    self.text(dstat + DSTAT_NAME as u32),
                    short_name,
                    bytes[DSTAT_ATTRIBUTES],
                    self.word(dstat + DSTAT_SIZE_AT as u32),
                ));
                status = self.call(NU_GET_NEXT, &[dstat]);
            }
            assert_eq!(status, NUF_NOFILE);
            self.call(NU_DONE, &[dstat]);
            assert_eq!(self.call(NU_GET_NEXT, &[dstat]), NUF_NOFILE, "done");
            found
        }
    }

    #[test]
    fn stat_gives_the_mode_and_size_where_nucleus_has_them() {
        let dir = TempDir::new("stat");
        fs::write(dir.0.join("f.tns"), b"12345").unwrap();
        fs::create_dir(dir.0.join("sub")).unwrap();
        let mut guest = Guest::new(Some(&dir));
        let (mode, size, mtime) = guest.stat("f.tns").unwrap();
        assert_eq!((mode & 0o170000, size), (S_IFREG, 5));
        assert!(mtime > 1_600_000_000, "{mtime}");
        assert_eq!(guest.stat("/documents/sub").unwrap().0 & 0o170000, S_IFDIR);
        assert_eq!(guest.stat("/documents").unwrap().0 & 0o170000, S_IFDIR);
        assert_eq!(guest.stat("/").unwrap().0, S_IFDIR | 0o555);
        assert_eq!(guest.stat("none"), Err(Errno::ENOENT.0));
        assert_eq!(guest.stat("/tmp"), Err(Errno::ENOENT.0));
        assert_eq!(guest.stat("f.tns/x"), Err(Errno::ENOTDIR.0));
        let mut empty = Guest::new(None);
        assert_eq!(empty.stat("/documents").unwrap().0, S_IFDIR | 0o555);
    }

    #[test]
    fn folders_made_renamed_and_removed() {
        let dir = TempDir::new("change");
        let mut guest = Guest::new(Some(&dir));
        assert_eq!(guest.on(MKDIR, "a"), 0);
        assert!(dir.0.join("a").is_dir());
        assert_eq!(guest.on(MKDIR, "a"), FAILED);
        assert_eq!(guest.errno(), Errno::EEXIST.0);
        assert_eq!(guest.on(MKDIR, "/documents"), FAILED);
        assert_eq!(guest.on(MKDIR, "/tmp"), FAILED);
        assert_eq!(guest.errno(), Errno::EACCES.0);
        fs::write(dir.0.join("a/f"), b"x").unwrap();
        assert_eq!(guest.on(RMDIR, "a"), FAILED);
        assert_eq!(guest.errno(), Errno::ENOTEMPTY.0);
        assert_eq!(guest.on(UNLINK, "a"), FAILED);
        assert_eq!(guest.errno(), Errno::EISDIR.0);
        assert_eq!(guest.on(RMDIR, "a/f"), FAILED);
        assert_eq!(guest.errno(), Errno::ENOTDIR.0);
        let (from, to) = (guest.put("a/f"), guest.put("/documents/g"));
        assert_eq!(guest.call(RENAME, &[from, to]), 0);
        assert_eq!(fs::read(dir.0.join("g")).unwrap(), b"x");
        assert_eq!(guest.call(RENAME, &[from, to]), FAILED);
        assert_eq!(guest.errno(), Errno::ENOENT.0);
        let (from, to) = (guest.put("g"), guest.put("/g"));
        assert_eq!(guest.call(RENAME, &[from, to]), FAILED);
        assert_eq!(guest.errno(), Errno::EACCES.0, "out of /documents");
        let (from, to) = (guest.put("/documents"), guest.put("h"));
        assert_eq!(guest.call(RENAME, &[from, to]), FAILED);
        assert_eq!(guest.on(UNLINK, "g"), 0);
        assert_eq!(guest.on(UNLINK, "g"), FAILED);
        assert_eq!(guest.errno(), Errno::ENOENT.0);
        fs::write(dir.0.join("a/f"), b"x").unwrap();
        assert_eq!(guest.on(REMOVE, "a/f"), 0);
        assert_eq!(guest.on(REMOVE, "a"), 0);
        assert_eq!(fs::read_dir(&dir.0).unwrap().count(), 0);
    }

    #[test]
    fn without_documents_nothing_is_made() {
        let mut guest = Guest::new(None);
        assert_eq!(guest.on(MKDIR, "a"), FAILED);
        assert_eq!(guest.errno(), Errno::EROFS.0);
        assert_eq!(guest.on(UNLINK, "a"), FAILED);
        assert_eq!(guest.errno(), Errno::ENOENT.0);
        assert_eq!(guest.list("/documents"), [".", ".."]);
    }

    #[test]
    fn the_current_folder() {
        let dir = TempDir::new("cwd");
        fs::create_dir_all(dir.0.join("sub/deeper")).unwrap();
        fs::write(dir.0.join("sub/f"), b"").unwrap();
        let mut guest = Guest::new(Some(&dir));
        assert_eq!(guest.getcwd(), "/documents/");
        assert_eq!(guest.on(CHDIR, "sub"), 0);
        assert_eq!(guest.getcwd(), "/documents/sub/");
        assert_eq!(guest.stat("f").unwrap().1, 0, "relative to the new folder");
        assert_eq!(
            guest.on(NU_SET_CURRENT_DIR, "A:\\documents\\sub\\deeper"),
            0
        );
        let buf = guest.buffer(300);
        let drive = guest.put("A:");
        assert_eq!(guest.call(NU_CURRENT_DIR, &[drive, buf]), 0);
        assert_eq!(guest.text(buf), "\\documents\\sub\\deeper\\");
        assert_eq!(guest.on(NU_SET_CURRENT_DIR, "none"), NUF_NOFILE);
        assert_eq!(guest.on(CHDIR, "../f"), FAILED);
        assert_eq!(guest.errno(), Errno::ENOTDIR.0);
        assert_eq!(guest.on(CHDIR, "/tmp"), FAILED);
        assert_eq!(guest.on(CHDIR, "../../.."), 0);
        assert_eq!(guest.getcwd(), "/");
        assert_eq!(guest.list("."), ["documents"]);
        // getcwd's buffer: too small, none (then the heap's).
        let buf = guest.buffer(2);
        assert_eq!(guest.call(GETCWD, &[buf, 1]), 0);
        assert_eq!(guest.errno(), Errno::ERANGE.0);
        assert_eq!(guest.call(GETCWD, &[buf, 0]), 0);
        assert_eq!(guest.errno(), Errno::EINVAL.0);
        let made = guest.call(GETCWD, &[0, 0]);
        assert_ne!(made, 0);
        assert_eq!(guest.text(made), "/");
        assert_eq!(guest.ndless.heap.size_of(&mut guest.mem, made).unwrap(), 8);
        // A new start: the current folder is /documents again.
        guest.ndless.documents.restart();
        assert_eq!(guest.getcwd(), "/documents/");
    }

    #[test]
    fn get_documents_dir_is_the_documents_folder() {
        let mut guest = Guest::new(None);
        let at = guest.call(GET_DOCUMENTS_DIR, &[]);
        assert_eq!(guest.text(at), "/documents/");
        guest.mem.write_bytes(at, b"X").unwrap();
        assert_eq!(guest.call(GET_DOCUMENTS_DIR, &[]), at);
        assert_eq!(guest.text(at), "/documents/");
    }

    #[test]
    fn listings() {
        let dir = TempDir::new("list");
        fs::write(dir.0.join("b.tns"), b"12").unwrap();
        fs::write(dir.0.join("A.TNS"), b"1").unwrap();
        fs::write(dir.0.join("c.txt"), b"").unwrap();
        fs::write(dir.0.join("long name.data.tns"), b"").unwrap();
        fs::create_dir(dir.0.join("sub")).unwrap();
        let mut guest = Guest::new(Some(&dir));
        let all = [
            ".",
            "..",
            "A.TNS",
            "b.tns",
            "c.txt",
            "long name.data.tns",
            "sub",
        ];
        assert_eq!(guest.list("."), all);
        assert_eq!(guest.list("/documents/"), all);
        assert_eq!(guest.list("/"), ["documents"]);
        assert_eq!(guest.list("sub"), [".", ".."]);
        for (path, errno) in [("none", Errno::ENOENT), ("b.tns", Errno::ENOTDIR)] {
            assert_eq!(guest.on(OPENDIR, path), 0);
            assert_eq!(guest.errno(), errno.0);
        }
        assert_eq!(guest.call(READDIR, &[0x1000_0400]), 0);
        assert_eq!(guest.errno(), Errno::EBADF.0);
        assert_eq!(guest.call(CLOSEDIR, &[0x1000_0400]), FAILED);

        let found = guest.search("*.tns");
        let entry = |name: &str, short: &str, attributes: u8, size: u32| {
            (name.to_string(), short.to_string(), attributes, size)
        };
        assert_eq!(
            found,
            [
                entry("A.TNS", "A.TNS", 0, 1),
                entry("b.tns", "B.TNS", 0, 2),
                entry("long name.data.tns", "LONG NAM.TNS", 0, 0),
            ]
        );
        assert_eq!(guest.search("/documents/*.*").len(), all.len());
        assert_eq!(
            guest.search("A:\\documents\\s?b"),
            [entry("sub", "SUB.", ATTRIBUTE_FOLDER, 0)]
        );
        assert_eq!(
            guest.search("A:\\*.*"),
            [entry("documents", "DOCUMENT.", ATTRIBUTE_FOLDER, 0)]
        );
        assert!(guest.search("*.none").is_empty());
        assert!(guest.search("/none/*.*").is_empty());
    }

    #[test]
    fn patterns() {
        for (pattern, name, fits_it) in [
            ("*.*", "noext", true),
            ("*", "", true),
            ("*.tns", "a.TNS", true),
            ("*.tns", "a.tns.bak", false),
            ("a?c", "abc", true),
            ("a?c", "ac", false),
            ("*b*", "abc", true),
            ("**x", "abc", false),
            ("", "", true),
            ("", "a", false),
        ] {
            assert_eq!(
                fits(pattern.as_bytes(), name.as_bytes()),
                fits_it,
                "{pattern} {name}"
            );
        }
        let many = "*".repeat(100) + "x";
        assert!(!fits(many.as_bytes(), "a".repeat(255).as_bytes()));
    }
}
