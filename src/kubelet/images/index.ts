// Images without a registry: the archives Kite builds for itself, and importing archives into containerd.
export { buildOciArchive, writeOciArchive, ociArchitecture, type ImageEntry, type ImageRuntimeConfig, type ImageSpec, type OciArchive } from './oci-archive.js';
export { buildStandardImages, standardImageFiles, type StandardImageOptions } from './standard.js';
export { readArchiveNames, type ArchiveNames } from './archive-names.js';
export { importImageArchive, importImageDir, type DirectoryImport, type ImportOptions } from './import.js';
