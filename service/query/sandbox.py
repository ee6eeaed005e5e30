"""Landlock (Linux >= 5.13): a query process over an on-disk store may read that store's files and nothing else.

Why. A query process normally cannot make any new file descriptor (RLIMIT_NOFILE at the lowest free number,
service.query.worker): nothing to open, no socket. An on-disk store (store.snapshot) needs more: RocksDB opens
its table files lazily, on the first read that needs each one (a 5M-triple store has ~80 of them), so its query
processes must be able to open files. Landlock keeps that to reading files under the store's folder: no other file
can be read or written, no TCP connection made or port bound (pyoxigraph's SERVICE would connect), no signal sent
outside the process. The guard (service.query.sparql) still refuses SERVICE first; this is the wall behind it.

The rules are the kernel's (unprivileged, inherited by children, irreversible); this module only asks for them via
three system calls. `restrict_to_reading` reports what it could enforce: on a kernel without Landlock, or an older
ABI, less (or nothing) is enforced, and the caller decides (service.query.worker then keeps fewer descriptors free).
"""

from __future__ import annotations

import ctypes
import os
from pathlib import Path

# Syscall numbers: the same on every architecture (the generic table).
_CREATE_RULESET, _ADD_RULE, _RESTRICT_SELF = 444, 445, 446
_CREATE_RULESET_VERSION = 1 << 0
_RULE_PATH_BENEATH = 1
_PR_SET_NO_NEW_PRIVS = 38

_READ_FILE, _READ_DIR = 1 << 2, 1 << 3
# Filesystem rights each ABI version knows (v1: bits 0-12; v2 REFER; v3 TRUNCATE; v5 IOCTL_DEV).
_FS_BY_ABI = {1: (1 << 13) - 1, 2: (1 << 14) - 1, 3: (1 << 15) - 1, 4: (1 << 15) - 1, 5: (1 << 16) - 1}
_NET_TCP = (1 << 0) | (1 << 1)   # BIND_TCP, CONNECT_TCP (ABI 4)
_SCOPES = (1 << 0) | (1 << 1)    # ABSTRACT_UNIX_SOCKET, SIGNAL (ABI 6)


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64), ("handled_access_net", ctypes.c_uint64),
                ("scoped", ctypes.c_uint64)]


class _PathBeneathAttr(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def abi_version() -> int:
    """The kernel's Landlock ABI version; 0 when it has none (or it is disabled)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        version = libc.syscall(_CREATE_RULESET, None, ctypes.c_size_t(0), ctypes.c_uint32(_CREATE_RULESET_VERSION))
    except (OSError, AttributeError):
        return 0
    return max(0, int(version))


def restrict_to_reading(folder: Path) -> list[str]:
    """From now on this process (and its children) may only read files under `folder`; also no TCP, no abstract
    UNIX sockets or signals beyond itself, as far as the kernel's ABI goes. Returns what is enforced (empty: no
    Landlock here). Raises OSError if the kernel refuses a step."""
    abi = abi_version()
    if abi < 1:
        return []
    libc = ctypes.CDLL(None, use_errno=True)
    attr = _RulesetAttr(_FS_BY_ABI.get(abi, _FS_BY_ABI[5]), _NET_TCP if abi >= 4 else 0, _SCOPES if abi >= 6 else 0)
    size = ctypes.sizeof(_RulesetAttr) if abi >= 6 else (16 if abi >= 4 else 8)
    ruleset = _check(libc.syscall(_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(size), ctypes.c_uint32(0)))
    try:
        directory = os.open(folder, os.O_PATH | os.O_DIRECTORY | os.O_CLOEXEC)
        try:
            rule = _PathBeneathAttr(_READ_FILE | _READ_DIR, directory)
            _check(libc.syscall(_ADD_RULE, ctypes.c_int(ruleset), ctypes.c_int(_RULE_PATH_BENEATH),
                                ctypes.byref(rule), ctypes.c_uint32(0)))
        finally:
            os.close(directory)
        _check(libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
        _check(libc.syscall(_RESTRICT_SELF, ctypes.c_int(ruleset), ctypes.c_uint32(0)))
    finally:
        os.close(ruleset)
    return ["files: read under the store only"] + (["no TCP"] if abi >= 4 else []) + (
        ["no abstract UNIX sockets or signals outside"] if abi >= 6 else [])


def _check(result: int) -> int:
    if result < 0:
        errno = ctypes.get_errno()
        raise OSError(errno, os.strerror(errno))
    return result
