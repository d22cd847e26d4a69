// The kubelet's volumes: set up per pod, bind-mounted into containers through CRI mounts.
export { VolumeManager, PLUGINS, type VolumeManagerOptions } from './manager.js';
export { containerMounts, expandSubPathExpr, expandVars, resolveSubPath, type CriMount, type MountPropagation, type VolumeInfo } from './mounts.js';
export { SystemMounter, type Mounter } from './mounter.js';
export { apiTokenSource, type TokenSource } from './tokens.js';
export { fieldRefValue, resourceFieldValue, formatMap, type Allocatable } from './downward.js';
export { writeAtomically, type Payload, type FileProjection } from './atomic-writer.js';
