//===- Checkpoint.cpp - kiln-train's checkpoint files, checksummed --------===//

#include "runtime/src/train/Checkpoint.h"

#include "runtime/src/train/Crc32c.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <limits>
#include <memory>
#include <set>
#include <sys/stat.h>
#include <unistd.h>

namespace kiln::train {
namespace {

constexpr char Magic[8] = {'K', 'I', 'L', 'N', 'C', 'K', 'P', 'T'};
constexpr size_t HeaderBytes = 52;
constexpr size_t HeaderCrcOffset = 48;

struct DtypeInfo {
  const char *name;
  uint32_t code;
  size_t size;
};
constexpr DtypeInfo Dtypes[] = {
    {"f32", 1, 4}, {"f64", 2, 8}, {"i64", 3, 8}, {"i32", 4, 4}, {"u8", 5, 1},
};

const DtypeInfo *dtypeByName(const std::string &name) {
  for (const DtypeInfo &d : Dtypes)
    if (name == d.name)
      return &d;
  return nullptr;
}

const DtypeInfo *dtypeByCode(uint32_t code) {
  for (const DtypeInfo &d : Dtypes)
    if (code == d.code)
      return &d;
  return nullptr;
}

void putU32(std::vector<uint8_t> &out, uint32_t v) {
  for (int i = 0; i < 4; ++i)
    out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

void putU64(std::vector<uint8_t> &out, uint64_t v) {
  for (int i = 0; i < 8; ++i)
    out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

void putString(std::vector<uint8_t> &out, const std::string &s) {
  putU32(out, static_cast<uint32_t>(s.size()));
  out.insert(out.end(), s.begin(), s.end());
}

uint32_t getU32(const uint8_t *p) {
  return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 |
         uint32_t(p[3]) << 24;
}

uint64_t getU64(const uint8_t *p) {
  return uint64_t(getU32(p)) | uint64_t(getU32(p + 4)) << 32;
}

std::string hex32(uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "0x%08x", v);
  return buf;
}

std::string crcMismatch(uint32_t stored, uint32_t computed) {
  return "(CRC32C mismatch: stored " + hex32(stored) + ", computed " +
         hex32(computed) + ")";
}

/// Bounds-checked reads from an in-memory section.
class Cursor {
public:
  Cursor(const uint8_t *p, size_t n) : p(p), end(p + n) {}
  size_t remaining() const { return static_cast<size_t>(end - p); }
  bool u32(uint32_t &v) {
    if (remaining() < 4)
      return false;
    v = getU32(p);
    p += 4;
    return true;
  }
  bool u64(uint64_t &v) {
    if (remaining() < 8)
      return false;
    v = getU64(p);
    p += 8;
    return true;
  }
  /// A u32 length (at most \p maxBytes) followed by that many bytes.
  bool string(std::string &s, size_t maxBytes) {
    uint32_t n;
    if (!u32(n) || n > maxBytes || n > remaining())
      return false;
    s.assign(reinterpret_cast<const char *>(p), n);
    p += n;
    return true;
  }

private:
  const uint8_t *p;
  const uint8_t *end;
};

/// The data size of \p dims elements of \p elemSize bytes; false if a
/// dimension is negative or the size overflows.
bool dataBytesFor(const std::vector<int64_t> &dims, size_t elemSize,
                  uint64_t &bytes) {
  uint64_t n = elemSize;
  for (int64_t d : dims) {
    if (d < 0)
      return false;
    uint64_t ud = static_cast<uint64_t>(d);
    if (ud != 0 && n > std::numeric_limits<uint64_t>::max() / ud)
      return false;
    n *= ud;
  }
  bytes = n;
  return true;
}

std::string quoted(const std::string &s) { return "'" + s + "'"; }

/// Checks that \p ckpt can be written and read back; "" or the problem.
std::string validate(const Checkpoint &ckpt) {
  if (ckpt.tensors.size() > MaxCheckpointTensors)
    return std::to_string(ckpt.tensors.size()) + " tensors exceed the limit " +
           std::to_string(MaxCheckpointTensors);
  if (ckpt.metadata.size() > MaxCheckpointMetadataEntries)
    return std::to_string(ckpt.metadata.size()) +
           " metadata entries exceed the limit " +
           std::to_string(MaxCheckpointMetadataEntries);
  std::set<std::string> seen;
  for (const auto &[key, value] : ckpt.metadata) {
    if (key.empty() || key.size() > MaxCheckpointNameBytes)
      return "metadata key " + quoted(key) + " is empty or longer than " +
             std::to_string(MaxCheckpointNameBytes) + " bytes";
    if (value.size() > MaxCheckpointSectionBytes)
      return "metadata value of " + quoted(key) + " is too long";
    if (!seen.insert(key).second)
      return "duplicate metadata key " + quoted(key);
  }
  seen.clear();
  for (const CheckpointTensor &t : ckpt.tensors) {
    if (t.name.empty() || t.name.size() > MaxCheckpointNameBytes)
      return "tensor name " + quoted(t.name) + " is empty or longer than " +
             std::to_string(MaxCheckpointNameBytes) + " bytes";
    if (!seen.insert(t.name).second)
      return "duplicate tensor name " + quoted(t.name);
    const DtypeInfo *d = dtypeByName(t.dtype);
    if (!d)
      return "tensor " + quoted(t.name) + " has unknown dtype " +
             quoted(t.dtype) + " (expected f32, f64, i64, i32 or u8)";
    if (t.dims.size() > MaxCheckpointRank)
      return "tensor " + quoted(t.name) + " has rank " +
             std::to_string(t.dims.size()) + ", more than " +
             std::to_string(MaxCheckpointRank);
    uint64_t bytes;
    if (!dataBytesFor(t.dims, d->size, bytes))
      return "tensor " + quoted(t.name) +
             " has a negative dimension or an overflowing size";
    if (bytes != t.data.size())
      return "tensor " + quoted(t.name) + " has " +
             std::to_string(t.data.size()) + " data bytes, its dims and " +
             t.dtype + " need " + std::to_string(bytes);
  }
  return "";
}

/// Writes all of [data, data + size) to \p fd, retrying short writes.
bool writeAll(int fd, const void *data, size_t size) {
  const auto *p = static_cast<const uint8_t *>(data);
  while (size > 0) {
    ssize_t n = ::write(fd, p, size);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      if (n == 0)
        errno = EIO;
      return false;
    }
    p += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

std::string directoryOf(const std::string &path) {
  size_t slash = path.find_last_of('/');
  if (slash == std::string::npos)
    return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

struct FileCloser {
  void operator()(std::FILE *f) const { std::fclose(f); }
};

/// Reads exactly \p size bytes; "" or what went wrong.
std::string readExact(std::FILE *f, void *dst, size_t size) {
  errno = 0;
  if (size == 0 || std::fread(dst, 1, size, f) == size)
    return "";
  if (std::ferror(f))
    return std::string("read error: ") + std::strerror(errno);
  return "file ended early (was it truncated while being read?)";
}

} // namespace

size_t checkpointDtypeSize(const std::string &dtype) {
  const DtypeInfo *d = dtypeByName(dtype);
  return d ? d->size : 0;
}

std::string writeFileAtomically(const std::string &path,
                                const std::vector<ByteRange> &pieces) {
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  auto fail = [&](const std::string &what) {
    int saved = errno;
    std::string msg = path + ": " + what + ": " + std::strerror(saved);
    ::unlink(tmp.c_str());
    return msg;
  };
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    return path + ": cannot create temporary file '" + tmp +
           "': " + std::strerror(errno);
  for (const ByteRange &piece : pieces) {
    if (!writeAll(fd, piece.data, piece.size)) {
      int saved = errno;
      ::close(fd);
      errno = saved;
      return fail("cannot write temporary file '" + tmp + "'");
    }
  }
  if (::fsync(fd) != 0) {
    int saved = errno;
    ::close(fd);
    errno = saved;
    return fail("cannot fsync temporary file '" + tmp + "'");
  }
  if (::close(fd) != 0)
    return fail("cannot close temporary file '" + tmp + "'");
  if (::rename(tmp.c_str(), path.c_str()) != 0)
    return fail("cannot rename temporary file '" + tmp + "' to it");

  // Make the rename itself durable. Some file systems cannot fsync a
  // directory (EINVAL); the file is in place either way.
  std::string dir = directoryOf(path);
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0)
    return path + ": written, but cannot open directory '" + dir +
           "' to fsync it: " + std::strerror(errno);
  int rc = ::fsync(dfd);
  int saved = errno;
  ::close(dfd);
  if (rc != 0 && saved != EINVAL)
    return path + ": written, but cannot fsync directory '" + dir +
           "': " + std::strerror(saved);
  return "";
}

std::string writeCheckpoint(const std::string &path, const Checkpoint &ckpt) {
  std::string err = validate(ckpt);
  if (!err.empty())
    return path + ": cannot write checkpoint: " + err;

  std::vector<uint8_t> meta;
  for (const auto &[key, value] : ckpt.metadata) {
    putString(meta, key);
    putString(meta, value);
  }
  std::vector<uint8_t> table;
  uint64_t offset = 0;
  for (const CheckpointTensor &t : ckpt.tensors) {
    putString(table, t.name);
    putU32(table, dtypeByName(t.dtype)->code);
    putU32(table, static_cast<uint32_t>(t.dims.size()));
    for (int64_t d : t.dims)
      putU64(table, static_cast<uint64_t>(d));
    putU64(table, offset);
    putU64(table, t.data.size());
    putU32(table, crc32c(t.data.data(), t.data.size()));
    offset += t.data.size();
  }
  if (meta.size() > MaxCheckpointSectionBytes ||
      table.size() > MaxCheckpointSectionBytes)
    return path +
           ": cannot write checkpoint: metadata or tensor table "
           "exceeds " +
           std::to_string(MaxCheckpointSectionBytes) + " bytes";

  std::vector<uint8_t> header(Magic, Magic + sizeof(Magic));
  putU32(header, CheckpointFormatVersion);
  putU32(header, static_cast<uint32_t>(ckpt.metadata.size()));
  putU32(header, static_cast<uint32_t>(ckpt.tensors.size()));
  putU32(header, 0);
  putU64(header, meta.size());
  putU64(header, table.size());
  putU64(header, offset);
  putU32(header, crc32c(header.data(), header.size()));
  putU32(meta, crc32c(meta.data(), meta.size()));
  putU32(table, crc32c(table.data(), table.size()));

  std::vector<ByteRange> pieces = {{header.data(), header.size()},
                                   {meta.data(), meta.size()},
                                   {table.data(), table.size()}};
  for (const CheckpointTensor &t : ckpt.tensors)
    pieces.push_back({t.data.data(), t.data.size()});
  return writeFileAtomically(path, pieces);
}

std::string readCheckpoint(const std::string &path, Checkpoint &out) {
  auto fail = [&](const std::string &msg) { return path + ": " + msg; };
  errno = 0;
  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "rb"));
  if (!file)
    return fail(std::string("cannot open: ") + std::strerror(errno));
  struct stat st;
  if (::fstat(::fileno(file.get()), &st) != 0)
    return fail(std::string("cannot stat: ") + std::strerror(errno));
  if (!S_ISREG(st.st_mode))
    return fail("not a regular file");
  uint64_t fileSize = static_cast<uint64_t>(st.st_size);

  // Header: magic, then its CRC before any field is trusted.
  uint8_t header[HeaderBytes];
  if (fileSize < sizeof(Magic))
    return fail("not a Kiln checkpoint (" + std::to_string(fileSize) +
                " bytes, too small)");
  std::string err = readExact(file.get(), header, sizeof(Magic));
  if (!err.empty())
    return fail(err);
  if (std::memcmp(header, Magic, sizeof(Magic)) != 0)
    return fail("not a Kiln checkpoint (bad magic; expected \"KILNCKPT\")");
  if (fileSize < HeaderBytes)
    return fail("truncated: " + std::to_string(fileSize) +
                " bytes, the header alone is " + std::to_string(HeaderBytes));
  err = readExact(file.get(), header + sizeof(Magic),
                  HeaderBytes - sizeof(Magic));
  if (!err.empty())
    return fail(err);
  uint32_t version = getU32(header + 8);
  uint32_t storedCrc = getU32(header + HeaderCrcOffset);
  uint32_t computedCrc = crc32c(header, HeaderCrcOffset);
  if (version != CheckpointFormatVersion)
    return fail("unsupported checkpoint format version " +
                std::to_string(version) + " (this reader reads version " +
                std::to_string(CheckpointFormatVersion) + ")");
  if (storedCrc != computedCrc)
    return fail("header is corrupt " + crcMismatch(storedCrc, computedCrc));
  uint32_t metaCount = getU32(header + 12);
  uint32_t tensorCount = getU32(header + 16);
  uint64_t metaBytes = getU64(header + 24);
  uint64_t tableBytes = getU64(header + 32);
  uint64_t dataBytes = getU64(header + 40);
  if (getU32(header + 20) != 0)
    return fail("header is malformed: reserved field is not 0");
  if (metaCount > MaxCheckpointMetadataEntries ||
      tensorCount > MaxCheckpointTensors ||
      metaBytes > MaxCheckpointSectionBytes ||
      tableBytes > MaxCheckpointSectionBytes)
    return fail("header is malformed: counts or section sizes exceed the "
                "limits");
  // Both sections are bounded above, so only the data size can overflow.
  uint64_t fixedBytes = HeaderBytes + metaBytes + 4 + tableBytes + 4;
  if (dataBytes > std::numeric_limits<uint64_t>::max() - fixedBytes ||
      fixedBytes + dataBytes != fileSize)
    return fail("size mismatch: the header describes " +
                (dataBytes > std::numeric_limits<uint64_t>::max() - fixedBytes
                     ? std::string("more than 2^64")
                     : std::to_string(fixedBytes + dataBytes)) +
                " bytes, the file has " + std::to_string(fileSize) +
                " (truncated, or trailing bytes)");

  // A section and its trailing CRC.
  auto readSection = [&](uint64_t size, const char *what,
                         std::vector<uint8_t> &bytes) -> std::string {
    bytes.resize(static_cast<size_t>(size) + 4);
    std::string e = readExact(file.get(), bytes.data(), bytes.size());
    if (!e.empty())
      return fail(e);
    uint32_t stored = getU32(bytes.data() + size);
    uint32_t computed = crc32c(bytes.data(), static_cast<size_t>(size));
    if (stored != computed)
      return fail(std::string(what) + " is corrupt " +
                  crcMismatch(stored, computed));
    bytes.resize(static_cast<size_t>(size));
    return "";
  };

  Checkpoint ckpt;
  std::vector<uint8_t> section;
  err = readSection(metaBytes, "metadata", section);
  if (!err.empty())
    return err;
  Cursor meta(section.data(), section.size());
  std::set<std::string> seen;
  for (uint32_t i = 0; i < metaCount; ++i) {
    std::string key, value;
    if (!meta.string(key, MaxCheckpointNameBytes) ||
        !meta.string(value, MaxCheckpointSectionBytes) || key.empty())
      return fail("metadata is malformed: entry " + std::to_string(i) +
                  " is empty, too long or runs past the section");
    if (!seen.insert(key).second)
      return fail("metadata is malformed: duplicate key " + quoted(key));
    ckpt.metadata.emplace_back(std::move(key), std::move(value));
  }
  if (meta.remaining() != 0)
    return fail("metadata is malformed: " + std::to_string(meta.remaining()) +
                " bytes after the last entry");

  err = readSection(tableBytes, "tensor table", section);
  if (!err.empty())
    return err;
  Cursor table(section.data(), section.size());
  std::vector<uint32_t> dataCrcs;
  seen.clear();
  uint64_t offset = 0;
  for (uint32_t i = 0; i < tensorCount; ++i) {
    CheckpointTensor t;
    std::string where = "tensor table is malformed: entry " + std::to_string(i);
    uint32_t code, rank;
    if (!table.string(t.name, MaxCheckpointNameBytes) || t.name.empty())
      return fail(where + " has an empty, too long or truncated name");
    where += " (" + quoted(t.name) + ")";
    if (!seen.insert(t.name).second)
      return fail(where + " repeats the name");
    if (!table.u32(code) || !table.u32(rank))
      return fail(where + " runs past the section");
    const DtypeInfo *d = dtypeByCode(code);
    if (!d)
      return fail(where + " has unknown dtype code " + std::to_string(code));
    if (rank > MaxCheckpointRank)
      return fail(where + " has rank " + std::to_string(rank) + ", more than " +
                  std::to_string(MaxCheckpointRank));
    t.dtype = d->name;
    for (uint32_t r = 0; r < rank; ++r) {
      uint64_t dim;
      if (!table.u64(dim))
        return fail(where + " runs past the section");
      t.dims.push_back(static_cast<int64_t>(dim));
    }
    uint64_t dataOffset, size, expected;
    uint32_t crc;
    if (!table.u64(dataOffset) || !table.u64(size) || !table.u32(crc))
      return fail(where + " runs past the section");
    if (!dataBytesFor(t.dims, d->size, expected) || expected != size)
      return fail(where + " has a data size that does not match its dims");
    if (dataOffset != offset || size > dataBytes - offset)
      return fail(where + " has data outside its place in the data section");
    offset += size;
    t.data.resize(static_cast<size_t>(size));
    dataCrcs.push_back(crc);
    ckpt.tensors.push_back(std::move(t));
  }
  if (table.remaining() != 0)
    return fail(
        "tensor table is malformed: " + std::to_string(table.remaining()) +
        " bytes after the last entry");
  if (offset != dataBytes)
    return fail("tensor table is malformed: the tensors cover " +
                std::to_string(offset) + " of the data section's " +
                std::to_string(dataBytes) + " bytes");

  // Data: sizes are bounded by the file size checked above.
  for (size_t i = 0; i < ckpt.tensors.size(); ++i) {
    CheckpointTensor &t = ckpt.tensors[i];
    err = readExact(file.get(), t.data.data(), t.data.size());
    if (!err.empty())
      return fail("tensor " + quoted(t.name) + ": " + err);
    uint32_t computed = crc32c(t.data.data(), t.data.size());
    if (computed != dataCrcs[i])
      return fail("tensor " + quoted(t.name) + " is corrupt " +
                  crcMismatch(dataCrcs[i], computed));
  }
  out = std::move(ckpt);
  return "";
}

} // namespace kiln::train
