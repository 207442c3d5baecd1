//! The file system an Ndless program sees: TI-OS's, as far as programs reach it. `/` holds one
//! folder, `/documents`, which is a host folder (`--documents DIR`) or, without one, a folder
//! that refuses writes and holds only the program itself (a copy in a temporary folder). The families [`super::files`] (streams) and [`super::dirs`]
//! (paths, folders) work through this module, which alone turns program paths into host ones.
//!
//! Paths are TI-OS's: absolute (`/documents/a.tns`) or relative to the current folder (which is
//! `/documents` when the program starts), `/` or `\` between names, an optional drive (`A:`) as
//! Nucleus paths have it; `.` and `..` are taken away by the names alone (`..` of `/` is `/`).
//! The sandbox is the semihosting root's (`--semihosting-root`): no name leaves the host folder,
//! by `..` or through a symbolic link (one leading out of it is refused with EACCES, as is
//! creating anything outside `/documents`).
//!
//! Errors are newlib's `errno` values (the SDK's newlib copies `*errno_addr()` into its own
//! `errno`), written to the errno word when a call fails.

use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};

use super::{dirs, files, layout};
pub use crate::errno::Errno;
use crate::guest::{GuestMemory, MemoryError};

/// Why a call failed: the program is told (errno), or it gave an address it does not have (the
/// run ends).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    Errno(Errno),
    Memory,
}

impl From<Errno> for Failure {
    fn from(errno: Errno) -> Failure {
        Failure::Errno(errno)
    }
}

impl From<io::Error> for Failure {
    fn from(error: io::Error) -> Failure {
        Failure::Errno(error.into())
    }
}

impl From<MemoryError> for Failure {
    fn from(_: MemoryError) -> Failure {
        Failure::Memory
    }
}

/// A call's result: `Ok(value)` is returned; a failure returns `failed` with errno set.
pub fn answer(
    mem: &mut dyn GuestMemory,
    result: Result<u32, Failure>,
    failed: u32,
) -> Result<super::Answer, MemoryError> {
    match result {
        Ok(value) => Ok(super::Answer::Value(value)),
        Err(Failure::Errno(Errno(errno))) => {
            mem.write_u32(layout::ERRNO, errno)?;
            Ok(super::Answer::Value(failed))
        }
        Err(Failure::Memory) => Err(MemoryError),
    }
}

/// The longest name in a folder (as FAT and TI-OS have it).
pub const NAME_MAX: usize = 255;

/// The documents folder's name in `/`.
const DOCUMENTS: &str = "documents";

/// What a path names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Node {
    /// `/`: it holds `documents` only, and nothing can be made in it.
    Root,
    /// `/documents` itself.
    Documents,
    /// A name in the host folder (which may not exist): the host path, its folder's symbolic
    /// links resolved.
    Host(PathBuf),
    /// A name nothing can be behind: outside `/documents`, or in it without a host folder.
    /// Reading it finds nothing (ENOENT); making it fails with this.
    Missing(Errno),
}

/// What `stat` tells of a node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Info {
    pub dir: bool,
    pub size: u64,
    /// Seconds since 1970 (0 when the host does not say).
    pub modified: u32,
    pub writable: bool,
}

/// A folder's entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub name: String,
    pub dir: bool,
    pub size: u64,
}

/// The file system's state: the host folder, the current folder, what is open.
pub struct Documents {
    /// The host folder `/documents` is (canonical); None: an empty folder refusing writes.
    root: Option<PathBuf>,
    /// The current folder: the names from `/` (`["documents"]` at the start).
    cwd: Vec<String>,
    /// Open streams (`FILE`).
    pub(super) files: files::Table,
    /// Open folder listings (`opendir`, `NU_Get_First`).
    pub(super) dirs: dirs::Table,
    /// Where `get_documents_dir`'s string is, once made (0 before).
    pub(super) documents_dir: u32,
    /// The run's own folder `root` is, if it is one: read-only to the program, removed with
    /// the file system.
    scratch: Option<Scratch>,
}

/// A folder of the run's own in the host's temporary folder, removed when dropped.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

impl Default for Documents {
    fn default() -> Self {
        Documents::new(None)
    }
}

impl Documents {
    /// The file system with `/documents` at `root` (canonical, a folder), or none.
    pub fn new(root: Option<PathBuf>) -> Documents {
        let mut documents = Documents {
            root,
            cwd: Vec::new(),
            files: files::Table::default(),
            dirs: dirs::Table::default(),
            documents_dir: 0,
            scratch: None,
        };
        documents.restart();
        documents
    }

    /// The file system with `/documents` a new folder of the run's own holding a copy of the
    /// program file `program` (as the program lives in `/documents` on a calculator), which
    /// the program reads but cannot change (EROFS, as with no folder: a save fails where the
    /// program can tell, rather than vanishing with the folder when the run ends).
    pub fn scratch(program: &Path) -> Result<Documents, String> {
        let name = program
            .file_name()
            .ok_or_else(|| format!("{}: not a file", program.display()))?;
        let temp = std::env::temp_dir();
        let folder = (0..1000)
            .map(|n| temp.join(format!("emu-documents-{}-{n}", std::process::id())))
            .find(|folder| fs::create_dir(folder).is_ok())
            .ok_or_else(|| format!("no folder could be made in {}", temp.display()))?;
        let scratch = Scratch(folder);
        fs::copy(program, scratch.0.join(name))
            .map_err(|e| format!("{}: {e}", program.display()))?;
        let mut documents = Documents::new(Some(Documents::host_folder(&scratch.0)?));
        documents.scratch = Some(scratch);
        Ok(documents)
    }

    /// The host folder for `--documents DIR`, checked.
    pub fn host_folder(dir: &Path) -> Result<PathBuf, String> {
        let canonical = fs::canonicalize(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        if !canonical.is_dir() {
            return Err(format!("{}: not a directory", dir.display()));
        }
        Ok(canonical)
    }

    /// As when a program starts: nothing open, the current folder `/documents`.
    pub fn restart(&mut self) {
        self.cwd = vec![DOCUMENTS.to_string()];
        self.files.restart();
        self.dirs = dirs::Table::default();
        self.documents_dir = 0;
    }

    /// Whether `/documents` takes writes.
    pub fn writable(&self) -> bool {
        self.root.is_some() && self.scratch.is_none()
    }

    /// What `path` names, for a call that changes it: EROFS when `/documents` takes no writes.
    pub fn node_to_change(&self, path: &[u8]) -> Result<Node, Errno> {
        match self.node(path)? {
            Node::Host(_) if !self.writable() => Err(Errno::EROFS),
            node => Ok(node),
        }
    }

    /// The names from `/` of the folder or file `path` names, `.` and `..` taken away.
    pub fn names(&self, path: &[u8]) -> Result<Vec<String>, Errno> {
        let text = std::str::from_utf8(path).map_err(|_| Errno::EINVAL)?;
        let mut rest = text;
        // A drive, as Nucleus paths may begin ("A:\documents").
        if let [drive, b':', ..] = rest.as_bytes() {
            if drive.is_ascii_alphabetic() {
                rest = &rest[2..];
            }
        }
        if rest.is_empty() {
            return Err(Errno::ENOENT);
        }
        let mut names = if rest.starts_with(['/', '\\']) {
            Vec::new()
        } else {
            self.cwd.clone()
        };
        for name in rest.split(['/', '\\']) {
            match name {
                "" | "." => {}
                ".." => {
                    names.pop();
                }
                _ if name.len() > NAME_MAX => return Err(Errno::ENAMETOOLONG),
                _ => names.push(name.to_string()),
            }
        }
        if let Some(first) = names.first_mut() {
            if first.eq_ignore_ascii_case(DOCUMENTS) {
                *first = DOCUMENTS.to_string();
            }
        }
        Ok(names)
    }

    /// What the names from `/` stand for.
    pub fn node_of(&self, names: &[String]) -> Result<Node, Errno> {
        let Some((first, inside)) = names.split_first() else {
            return Ok(Node::Root);
        };
        if first != DOCUMENTS {
            return Ok(Node::Missing(Errno::EACCES));
        }
        if inside.is_empty() {
            return Ok(Node::Documents);
        }
        let Some(root) = &self.root else {
            return Ok(Node::Missing(Errno::EROFS));
        };
        let mut relative = PathBuf::new();
        for name in inside {
            // One plain name each: never a drive, a root or a `..` of the host's.
            let mut parts = Path::new(name).components();
            match (parts.next(), parts.next()) {
                (Some(Component::Normal(part)), None) if part == name.as_str() => {
                    relative.push(part)
                }
                _ => return Err(Errno::ENOENT),
            }
        }
        let file_name = relative.file_name().ok_or(Errno::ENOENT)?.to_owned();
        // The folder part resolves every symbolic link in it...
        let parent = relative.parent().unwrap_or(Path::new(""));
        let folder = fs::canonicalize(root.join(parent))?;
        if !folder.starts_with(root) {
            return Err(Errno::EACCES);
        }
        // ...and the name itself, if a link, must lead inside too: opening follows it, and a
        // dangling one would make its target wherever it points.
        let path = folder.join(file_name);
        let is_link = fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink());
        if is_link && !self.inside(&path) {
            return Err(Errno::EACCES);
        }
        Ok(Node::Host(path))
    }

    /// What `path` names.
    pub fn node(&self, path: &[u8]) -> Result<Node, Errno> {
        self.node_of(&self.names(path)?)
    }

    /// `stat` of a node.
    pub fn info(&self, node: &Node) -> Result<Info, Errno> {
        let folder = Info {
            dir: true,
            size: 0,
            modified: 0,
            writable: false,
        };
        match node {
            Node::Root => Ok(folder),
            Node::Documents => match &self.root {
                Some(root) => host_info(root),
                None => Ok(folder),
            },
            Node::Host(path) => host_info(path),
            Node::Missing(_) => Err(Errno::ENOENT),
        }
    }

    /// The entries of the folder a node is, sorted by name; `.` and `..` first but in `/`.
    pub fn list(&self, node: &Node) -> Result<Vec<Entry>, Errno> {
        let dots = [".", ".."].map(|name| Entry {
            name: name.to_string(),
            dir: true,
            size: 0,
        });
        let host = match node {
            Node::Root => {
                return Ok(vec![Entry {
                    name: DOCUMENTS.to_string(),
                    dir: true,
                    size: 0,
                }])
            }
            Node::Documents => match &self.root {
                Some(root) => root,
                None => return Ok(dots.to_vec()),
            },
            Node::Host(path) => path,
            Node::Missing(_) => return Err(Errno::ENOENT),
        };
        if !fs::metadata(host)?.is_dir() {
            return Err(Errno::ENOTDIR);
        }
        let mut entries = Vec::new();
        for entry in fs::read_dir(host)? {
            let entry = entry?;
            // A name the program could not give back is left out.
            let Ok(name) = entry.file_name().into_string() else {
                continue;
            };
            if name.len() > NAME_MAX {
                continue;
            }
            // A symbolic link is what it leads to; one leading out of the folder is left out.
            let path = entry.path();
            if entry.file_type()?.is_symlink() && !self.inside(&path) {
                continue;
            }
            let (dir, size) = fs::metadata(&path).map_or((false, 0), |m| (m.is_dir(), size(&m)));
            entries.push(Entry { name, dir, size });
        }
        entries.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(dots.into_iter().chain(entries).collect())
    }

    /// Whether `path` (a link, say) leads into the host folder.
    fn inside(&self, path: &Path) -> bool {
        self.root
            .as_ref()
            .is_some_and(|root| fs::canonicalize(path).is_ok_and(|target| target.starts_with(root)))
    }

    /// Makes `names` the current folder, if it is a folder.
    pub fn set_cwd(&mut self, names: Vec<String>) -> Result<(), Errno> {
        let node = self.node_of(&names)?;
        if !self.info(&node)?.dir {
            return Err(Errno::ENOTDIR);
        }
        self.cwd = names;
        Ok(())
    }

    /// The current folder, with `separator` before every name and after the last
    /// (`/documents/`; `/` alone for `/`).
    pub fn cwd(&self, separator: char) -> String {
        let mut text = String::from(separator);
        for name in &self.cwd {
            text.push_str(name);
            text.push(separator);
        }
        text
    }
}

/// A file's size; 0 for a folder, as on FAT (not the host's count of its blocks).
fn size(meta: &fs::Metadata) -> u64 {
    if meta.is_dir() {
        0
    } else {
        meta.len()
    }
}

fn host_info(path: &Path) -> Result<Info, Errno> {
    let meta = fs::metadata(path)?;
    let modified = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_secs().min(u64::from(u32::MAX)) as u32);
    Ok(Info {
        dir: meta.is_dir(),
        size: size(&meta),
        modified,
        writable: !meta.permissions().readonly(),
    })
}

/// What the families' tests share: a service over a flat guest memory with a heap, and a host
/// folder of the test's own.
#[cfg(test)]
pub mod fixture {
    use std::path::PathBuf;

    use super::super::heap::Heap;
    use super::super::{layout, Answer, Call, Ndless};
    use crate::frontend::setup::SharedBuffer;
    use crate::guest::testing::Flat;
    use crate::guest::GuestMemory;

    pub const BASE: u32 = 0x1000_0000;
    /// Where [`Guest::put`] writes strings and [`Guest::buffer`] gives space.
    const SCRATCH: u32 = 0x1000_6000;
    const HEAP: u32 = 0x1001_0000;
    const END: u32 = 0x1010_0000;

    /// A temporary host folder, removed when dropped.
    pub struct TempDir(pub PathBuf);

    impl TempDir {
        pub fn new(test: &str) -> TempDir {
            let path =
                std::env::temp_dir().join(format!("emu-ndless-{}-{test}", std::process::id()));
            let _ = std::fs::remove_dir_all(&path);
            std::fs::create_dir_all(&path).unwrap();
            TempDir(path)
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    pub struct Guest {
        pub ndless: Ndless,
        pub mem: Flat,
        pub out: SharedBuffer,
        scratch: u32,
    }

    impl Guest {
        /// A program whose `/documents` is `dir` (None: the empty, read-only one).
        pub fn new(dir: Option<&TempDir>) -> Guest {
            let out = SharedBuffer::default();
            let mut ndless = Ndless::new(Box::new(out.clone()), Box::new(out.clone()));
            if let Some(dir) = dir {
                ndless = ndless.with_documents(&dir.0).unwrap();
            }
            let mut mem = Flat::new(BASE, (END - BASE) as usize);
            ndless.heap = Heap {
                start: HEAP,
                end: END,
            };
            ndless.heap.init(&mut mem).unwrap();
            Guest {
                ndless,
                mem,
                out,
                scratch: SCRATCH,
            }
        }

        /// What OS call `number` answers.
        pub fn answer(&mut self, number: u32, args: &[u32]) -> Answer {
            let mut regs = [0; 4];
            regs[..args.len()].copy_from_slice(args);
            let call = Call {
                number,
                args: regs,
                sp: 0,
                cpsr: 0x13,
                lr: 0,
                pc: 0,
                regs: [0; 16],
            };
            self.ndless.call(&call, &mut self.mem)
        }

        /// r0 after OS call `number`.
        pub fn call(&mut self, number: u32, args: &[u32]) -> u32 {
            match self.answer(number, args) {
                Answer::Value(value) => value,
                other => panic!("OS call {number}: {other:?}"),
            }
        }

        /// A string in guest memory (NUL-terminated).
        pub fn put(&mut self, text: &str) -> u32 {
            let at = self.buffer(text.len() as u32 + 1);
            let mut bytes = text.as_bytes().to_vec();
            bytes.push(0);
            self.mem.write_bytes(at, &bytes).unwrap();
            at
        }

        /// `len` bytes of scratch guest memory, zeroed.
        pub fn buffer(&mut self, len: u32) -> u32 {
            let at = self.scratch;
            self.scratch = (self.scratch + len + 7) & !7;
            assert!(self.scratch < HEAP, "scratch area full");
            self.mem.write_bytes(at, &vec![0; len as usize]).unwrap();
            at
        }

        pub fn bytes(&mut self, addr: u32, len: u32) -> Vec<u8> {
            let mut bytes = vec![0; len as usize];
            self.mem.read_bytes(addr, &mut bytes).unwrap();
            bytes
        }

        pub fn word(&mut self, addr: u32) -> u32 {
            self.mem.read_u32(addr).unwrap()
        }

        /// The NUL-terminated string at `addr`.
        pub fn text(&mut self, addr: u32) -> String {
            String::from_utf8(self.mem.read_cstring(addr, 0x1_0000).unwrap()).unwrap()
        }

        pub fn errno(&mut self) -> u32 {
            self.word(layout::ERRNO)
        }

        /// Sets errno to a value no call gives, to see whether the next sets it.
        pub fn clear_errno(&mut self) {
            self.mem.write_u32(layout::ERRNO, 0xEEEE).unwrap();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::fixture::TempDir;
    use super::*;

    #[test]
    fn without_a_folder_documents_holds_the_program_alone_read_only_until_the_run_ends() {
        let dir = TempDir::new("scratch");
        let program = dir.0.join("game.tns");
        fs::write(&program, b"PRG\0code").unwrap();
        let documents = Documents::scratch(&program).unwrap();
        let Ok(Node::Host(copy)) = documents.node(b"/documents/game.tns") else {
            panic!("the program is not in /documents");
        };
        assert_eq!(fs::read(&copy).unwrap(), b"PRG\0code");
        let names: Vec<String> = documents
            .list(&Node::Documents)
            .unwrap()
            .into_iter()
            .map(|entry| entry.name)
            .collect();
        assert!(names.contains(&"game.tns".to_string()), "{names:?}");
        assert!(!documents.writable());
        for path in [&b"game.tns"[..], b"save.dat", b"/documents/sub"] {
            assert_eq!(documents.node_to_change(path), Err(Errno::EROFS));
        }
        let folder = copy.parent().unwrap().to_path_buf();
        drop(documents);
        assert!(!folder.exists(), "{} is left", folder.display());
        assert!(program.exists());
    }

    fn names(documents: &Documents, path: &str) -> Result<Vec<String>, Errno> {
        documents.names(path.as_bytes())
    }

    #[test]
    fn paths_are_tios_paths_relative_to_the_current_folder() {
        let mut documents = Documents::new(None);
        let of = |parts: &[&str]| parts.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(names(&documents, "a.tns"), Ok(of(&["documents", "a.tns"])));
        assert_eq!(
            names(&documents, "/documents/x/./y"),
            Ok(of(&["documents", "x", "y"]))
        );
        assert_eq!(
            names(&documents, "A:\\Documents\\x"),
            Ok(of(&["documents", "x"]))
        );
        assert_eq!(names(&documents, "../../.."), Ok(of(&[])));
        assert_eq!(names(&documents, "/../documents"), Ok(of(&["documents"])));
        assert_eq!(names(&documents, "/tmp//a/"), Ok(of(&["tmp", "a"])));
        assert_eq!(names(&documents, ""), Err(Errno::ENOENT));
        assert_eq!(documents.names(b"\xff"), Err(Errno::EINVAL));
        let long = "x".repeat(256);
        assert_eq!(names(&documents, &long), Err(Errno::ENAMETOOLONG));
        documents.set_cwd(of(&[])).unwrap();
        assert_eq!(names(&documents, "documents"), Ok(of(&["documents"])));
        assert_eq!(documents.cwd('/'), "/");
    }

    #[test]
    fn what_names_stand_for() {
        let dir = TempDir::new("nodes");
        let root = Documents::host_folder(&dir.0).unwrap();
        let documents = Documents::new(Some(root.clone()));
        let node = |path: &str| documents.node(path.as_bytes());
        assert_eq!(node("/"), Ok(Node::Root));
        assert_eq!(node("/documents/"), Ok(Node::Documents));
        assert_eq!(node("."), Ok(Node::Documents));
        assert_eq!(node("a.tns"), Ok(Node::Host(root.join("a.tns"))));
        assert_eq!(node("/tmp/a"), Ok(Node::Missing(Errno::EACCES)));
        assert_eq!(node("sub/a.tns"), Err(Errno::ENOENT), "no such folder");
        let empty = Documents::new(None);
        assert_eq!(empty.node(b"a.tns"), Ok(Node::Missing(Errno::EROFS)));
        assert!(empty.info(&Node::Documents).unwrap().dir);
        assert_eq!(empty.list(&Node::Documents).unwrap().len(), 2, ". and ..");
    }

    #[cfg(unix)]
    #[test]
    fn symbolic_links_cannot_leave_the_folder() {
        use std::os::unix::fs::symlink;
        let top = TempDir::new("links");
        let dir = top.0.join("documents");
        fs::create_dir_all(dir.join("sub")).unwrap();
        fs::write(top.0.join("secret"), b"s").unwrap();
        fs::write(dir.join("target"), b"t").unwrap();
        symlink(&top.0, dir.join("up")).unwrap();
        symlink(top.0.join("secret"), dir.join("secret-link")).unwrap();
        symlink(top.0.join("new"), dir.join("dangling")).unwrap();
        symlink(dir.join("target"), dir.join("sub/inside-link")).unwrap();
        let documents = Documents::new(Some(Documents::host_folder(&dir).unwrap()));
        for name in [
            "up/secret",
            "secret-link",
            "dangling",
            "up/documents/../secret",
        ] {
            assert_eq!(
                documents.node(name.as_bytes()),
                Err(Errno::EACCES),
                "{name}"
            );
        }
        // `..` goes by the names, not through the link.
        let inside = Documents::host_folder(&dir).unwrap().join("secret");
        assert_eq!(documents.node(b"up/../secret"), Ok(Node::Host(inside)));
        assert!(matches!(
            documents.node(b"sub/inside-link"),
            Ok(Node::Host(_))
        ));
        let listed: Vec<String> = documents
            .list(&Node::Documents)
            .unwrap()
            .into_iter()
            .map(|e| e.name)
            .collect();
        assert_eq!(
            listed,
            [".", "..", "sub", "target"],
            "links out are left out"
        );
    }

    #[test]
    fn names_cannot_leave_the_folder() {
        let top = TempDir::new("escape");
        let dir = top.0.join("documents");
        fs::create_dir_all(&dir).unwrap();
        let documents = Documents::new(Some(Documents::host_folder(&dir).unwrap()));
        // Whatever the host would make of them, these are TI-OS paths outside /documents.
        for name in [
            "../../etc/passwd",
            "/etc/passwd",
            "/../../documents/../../tmp",
            "A:\\..\\..\\etc",
            "../escape/documents",
        ] {
            assert_eq!(
                documents.node(name.as_bytes()),
                Ok(Node::Missing(Errno::EACCES)),
                "{name}"
            );
        }
        // A path longer than the host's PATH_MAX, of names each short enough: its first folder
        // is not there. (A name longer than NAME_MAX is ENAMETOOLONG: see the test of paths.)
        let long = "d/".repeat(2100) + "x";
        assert_eq!(documents.node(long.as_bytes()), Err(Errno::ENOENT));
        // A NUL is a byte of a name (the calls cut the program's strings at the first), which
        // the host refuses: no name of the host's is made of what follows it.
        let root = Documents::host_folder(&dir).unwrap();
        assert_eq!(
            documents.node(b"a\0/../../x"),
            Ok(Node::Missing(Errno::EACCES))
        );
        assert_eq!(documents.node(b"a\0b"), Ok(Node::Host(root.join("a\0b"))));
        assert_eq!(documents.node(b"a\0b/c").map(|_| ()), Err(Errno::EINVAL));
    }

    #[test]
    fn a_host_folder_must_be_a_folder() {
        let dir = TempDir::new("folder");
        fs::write(dir.0.join("file"), b"").unwrap();
        assert!(Documents::host_folder(&dir.0.join("file")).is_err());
        assert!(Documents::host_folder(&dir.0.join("none")).is_err());
    }
}
