//===- ElfCheck.cpp - validate an ELF64 shared object before dlopen -------===//

#include "runtime/src/ElfCheck.h"

#include <elf.h>
#include <unistd.h>

#include <cstring>
#include <vector>

using namespace kiln::rt;

namespace {

#if defined(__x86_64__)
constexpr uint16_t kHostMachine = EM_X86_64;
#elif defined(__aarch64__)
constexpr uint16_t kHostMachine = EM_AARCH64;
#else
#error "the Kiln runtime supports x86-64 and aarch64 hosts"
#endif

/// Largest program header, section header and dynamic tables accepted.
constexpr uint64_t kMaxHeaders = 1u << 16;
constexpr uint64_t kMaxDynamicBytes = 1u << 20;

const char *machineName(uint16_t machine) {
  switch (machine) {
  case EM_X86_64:
    return "x86-64";
  case EM_AARCH64:
    return "aarch64";
  case EM_386:
    return "i386";
  case EM_ARM:
    return "arm";
  case EM_RISCV:
    return "riscv";
  case EM_PPC64:
    return "ppc64";
  default:
    return nullptr;
  }
}

std::string describeMachine(uint16_t machine) {
  const char *name = machineName(machine);
  return name ? name : "machine " + std::to_string(machine);
}

std::string hex(uint64_t v) {
  char buf[32];
  snprintf(buf, sizeof(buf), "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

/// True when [offset, offset + size) lies inside [0, limit) without overflow.
bool fits(uint64_t offset, uint64_t size, uint64_t limit) {
  return offset <= limit && size <= limit - offset;
}

bool readAt(int fd, uint64_t offset, void *out, size_t size) {
  auto *p = static_cast<uint8_t *>(out);
  while (size > 0) {
    ssize_t n = pread(fd, p, size, static_cast<off_t>(offset));
    if (n <= 0)
      return false;
    p += n;
    offset += static_cast<uint64_t>(n);
    size -= static_cast<size_t>(n);
  }
  return true;
}

class Checker {
public:
  Checker(int fd, uint64_t fileSize, std::string &error)
      : fd(fd), fileSize(fileSize), error(error) {}

  kiln_status_code_t run() {
    kiln_status_code_t code = checkHeader();
    if (code == KILN_STATUS_OK)
      code = checkProgramHeaders();
    if (code == KILN_STATUS_OK)
      code = checkSectionHeaders();
    if (code == KILN_STATUS_OK)
      code = checkDynamic();
    return code;
  }

private:
  kiln_status_code_t fail(kiln_status_code_t code, const std::string &what) {
    error = what;
    return code;
  }
  kiln_status_code_t corrupt(const std::string &what) {
    return fail(KILN_STATUS_DATA_LOSS,
                "truncated or corrupt ELF file: " + what);
  }
  kiln_status_code_t unreadable() {
    return fail(KILN_STATUS_DATA_LOSS, "read error");
  }

  kiln_status_code_t checkHeader() {
    bool elfMagic = false;
    unsigned char ident[SELFMAG];
    if (fileSize >= SELFMAG) {
      if (!readAt(fd, 0, ident, SELFMAG))
        return unreadable();
      elfMagic = std::memcmp(ident, ELFMAG, SELFMAG) == 0;
    }
    if (fileSize == 0)
      return fail(KILN_STATUS_INVALID_ARGUMENT,
                  "the file is empty, not an ELF shared object");
    if (!elfMagic)
      return fail(KILN_STATUS_INVALID_ARGUMENT,
                  "not an ELF shared object (no ELF magic number)");
    if (fileSize < sizeof(Elf64_Ehdr))
      return corrupt("the file has " + std::to_string(fileSize) +
                     " bytes, fewer than an ELF header");
    if (!readAt(fd, 0, &eh, sizeof(eh)))
      return unreadable();
    if (eh.e_ident[EI_CLASS] != ELFCLASS64)
      return fail(KILN_STATUS_INVALID_ARGUMENT,
                  "not an ELF64 file (ELF class " +
                      std::to_string(eh.e_ident[EI_CLASS]) + ")");
    if (eh.e_ident[EI_DATA] != ELFDATA2LSB)
      return fail(KILN_STATUS_FAILED_PRECONDITION,
                  "not a little-endian ELF file");
    if (eh.e_ident[EI_VERSION] != EV_CURRENT || eh.e_version != EV_CURRENT)
      return corrupt("unknown ELF version");
    if (eh.e_type != ET_DYN)
      return fail(KILN_STATUS_INVALID_ARGUMENT, "an ELF file of type " +
                                                    std::to_string(eh.e_type) +
                                                    ", not a shared object");
    if (eh.e_machine != kHostMachine)
      return fail(KILN_STATUS_FAILED_PRECONDITION,
                  "built for " + describeMachine(eh.e_machine) +
                      ", but this runtime runs on " +
                      describeMachine(kHostMachine));
    if (eh.e_ehsize < sizeof(Elf64_Ehdr))
      return corrupt("ELF header size " + std::to_string(eh.e_ehsize));
    return KILN_STATUS_OK;
  }

  kiln_status_code_t checkProgramHeaders() {
    if (eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum == 0)
      return corrupt("bad program header table (entry size " +
                     std::to_string(eh.e_phentsize) + ", " +
                     std::to_string(eh.e_phnum) + " entries)");
    uint64_t bytes = uint64_t{eh.e_phnum} * sizeof(Elf64_Phdr);
    if (!fits(eh.e_phoff, bytes, fileSize))
      return corrupt("the program headers end beyond the file's " +
                     std::to_string(fileSize) + " bytes");
    phdrs.resize(eh.e_phnum);
    if (!readAt(fd, eh.e_phoff, phdrs.data(), bytes))
      return unreadable();
    int numDynamic = 0;
    for (size_t i = 0; i < phdrs.size(); ++i) {
      const Elf64_Phdr &ph = phdrs[i];
      std::string what = "segment #" + std::to_string(i);
      if (!fits(ph.p_offset, ph.p_filesz, fileSize))
        return corrupt(what + " spans bytes [" + std::to_string(ph.p_offset) +
                       ", " + std::to_string(ph.p_offset + ph.p_filesz) +
                       ") but the file has " + std::to_string(fileSize));
      if (ph.p_type == PT_LOAD) {
        if (ph.p_filesz > ph.p_memsz || ph.p_vaddr > UINT64_MAX - ph.p_memsz)
          return corrupt(what + " has inconsistent sizes");
        if (ph.p_align > 1 && ((ph.p_align & (ph.p_align - 1)) != 0 ||
                               (ph.p_vaddr - ph.p_offset) % ph.p_align != 0))
          return corrupt(what + " is misaligned");
        loads.push_back(ph);
      } else if (ph.p_type == PT_DYNAMIC) {
        ++numDynamic;
        dynamic = ph;
      }
    }
    if (loads.empty() || numDynamic != 1)
      return corrupt("a shared object needs loadable segments and one "
                     "dynamic segment");
    return KILN_STATUS_OK;
  }

  kiln_status_code_t checkSectionHeaders() {
    if (eh.e_shoff == 0)
      return KILN_STATUS_OK; // section headers are optional for loading
    if (eh.e_shentsize != sizeof(Elf64_Shdr))
      return corrupt("section header entry size " +
                     std::to_string(eh.e_shentsize));
    if (!fits(eh.e_shoff, sizeof(Elf64_Shdr), fileSize))
      return corrupt("the section headers start beyond the end of the file");
    uint64_t count = eh.e_shnum;
    if (count == 0) { // more than SHN_LORESERVE sections: see section 0
      Elf64_Shdr first;
      if (!readAt(fd, eh.e_shoff, &first, sizeof(first)))
        return unreadable();
      count = first.sh_size;
    }
    if (count > kMaxHeaders ||
        !fits(eh.e_shoff, count * sizeof(Elf64_Shdr), fileSize))
      return corrupt("the " + std::to_string(count) +
                     " section headers end beyond the file's " +
                     std::to_string(fileSize) + " bytes");
    std::vector<Elf64_Shdr> shdrs(count);
    if (!readAt(fd, eh.e_shoff, shdrs.data(), count * sizeof(Elf64_Shdr)))
      return unreadable();
    for (uint64_t i = 0; i < count; ++i) {
      const Elf64_Shdr &sh = shdrs[i];
      if (sh.sh_type != SHT_NOBITS && !fits(sh.sh_offset, sh.sh_size, fileSize))
        return corrupt("section #" + std::to_string(i) + " spans bytes [" +
                       std::to_string(sh.sh_offset) + ", " +
                       std::to_string(sh.sh_offset + sh.sh_size) +
                       ") but the file has " + std::to_string(fileSize));
    }
    return KILN_STATUS_OK;
  }

  /// True when [vaddr, vaddr + size) lies inside one loaded segment.
  bool mapped(uint64_t vaddr, uint64_t size) const {
    for (const Elf64_Phdr &ph : loads)
      if (vaddr >= ph.p_vaddr && fits(vaddr - ph.p_vaddr, size, ph.p_memsz))
        return true;
    return false;
  }

  kiln_status_code_t checkDynamic() {
    if (dynamic.p_filesz > kMaxDynamicBytes ||
        dynamic.p_filesz % sizeof(Elf64_Dyn) != 0)
      return corrupt("dynamic segment of " + std::to_string(dynamic.p_filesz) +
                     " bytes");
    if (!mapped(dynamic.p_vaddr, dynamic.p_filesz))
      return corrupt("the dynamic segment is not inside a loaded segment");
    std::vector<Elf64_Dyn> dyn(dynamic.p_filesz / sizeof(Elf64_Dyn));
    if (!readAt(fd, dynamic.p_offset, dyn.data(), dynamic.p_filesz))
      return unreadable();
    // Tables the loader reads: (address tag, size tag or -1 for one word).
    struct Table {
      int64_t addrTag, sizeTag;
      const char *name;
    };
    static const Table tables[] = {
        {DT_STRTAB, DT_STRSZ, "DT_STRTAB"},
        {DT_SYMTAB, -1, "DT_SYMTAB"},
        {DT_HASH, -1, "DT_HASH"},
        {DT_GNU_HASH, -1, "DT_GNU_HASH"},
        {DT_RELA, DT_RELASZ, "DT_RELA"},
        {DT_REL, DT_RELSZ, "DT_REL"},
        {DT_RELR, DT_RELRSZ, "DT_RELR"},
        {DT_JMPREL, DT_PLTRELSZ, "DT_JMPREL"},
        {DT_PLTGOT, -1, "DT_PLTGOT"},
        {DT_INIT, -1, "DT_INIT"},
        {DT_FINI, -1, "DT_FINI"},
        {DT_INIT_ARRAY, DT_INIT_ARRAYSZ, "DT_INIT_ARRAY"},
        {DT_FINI_ARRAY, DT_FINI_ARRAYSZ, "DT_FINI_ARRAY"},
        {DT_PREINIT_ARRAY, DT_PREINIT_ARRAYSZ, "DT_PREINIT_ARRAY"},
        {DT_VERSYM, -1, "DT_VERSYM"},
        {DT_VERDEF, -1, "DT_VERDEF"},
        {DT_VERNEED, -1, "DT_VERNEED"},
    };
    auto lookup = [&](int64_t tag, uint64_t &value) {
      for (const Elf64_Dyn &d : dyn) {
        if (d.d_tag == DT_NULL)
          break;
        if (d.d_tag == tag) {
          value = d.d_un.d_val;
          return true;
        }
      }
      return false;
    };
    for (const Table &t : tables) {
      uint64_t addr, size = 8;
      if (!lookup(t.addrTag, addr))
        continue;
      if (t.sizeTag >= 0 && !lookup(t.sizeTag, size))
        return corrupt(std::string(t.name) + " without its size");
      if (!mapped(addr, size))
        return corrupt(std::string(t.name) + " [" + hex(addr) + ", +" +
                       std::to_string(size) +
                       ") lies outside the loaded segments");
    }
    uint64_t flags1 = 0;
    if (lookup(DT_FLAGS_1, flags1) && (flags1 & DF_1_PIE))
      return fail(KILN_STATUS_INVALID_ARGUMENT,
                  "a position-independent executable, not a shared object");
    uint64_t strtab, strsz = 0;
    if (!lookup(DT_STRTAB, strtab))
      return corrupt("no DT_STRTAB");
    lookup(DT_STRSZ, strsz);
    for (const Elf64_Dyn &d : dyn) {
      if (d.d_tag == DT_NULL)
        break;
      bool isString = d.d_tag == DT_NEEDED || d.d_tag == DT_SONAME ||
                      d.d_tag == DT_RPATH || d.d_tag == DT_RUNPATH;
      if (isString && d.d_un.d_val >= strsz)
        return corrupt("a dynamic string offset lies outside DT_STRTAB");
    }
    return KILN_STATUS_OK;
  }

  int fd;
  uint64_t fileSize;
  std::string &error;
  Elf64_Ehdr eh{};
  std::vector<Elf64_Phdr> phdrs;
  std::vector<Elf64_Phdr> loads;
  Elf64_Phdr dynamic{};
};

} // namespace

kiln_status_code_t kiln::rt::checkElfFile(int fd, uint64_t fileSize,
                                          std::string &error) {
  return Checker(fd, fileSize, error).run();
}
