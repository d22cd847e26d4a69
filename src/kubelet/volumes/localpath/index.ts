// The built-in `local-path` StorageClass's provisioner, run by each node agent for its node.
export { LocalPathProvisioner, type LocalPathProvisionerOptions } from './provisioner.js';
export {
  LOCAL_PATH_PROVISIONER, isOursToDelete, isOursToProvision, ownedDirectory, provisionedVolume, unsupportedClaim, volumeDirFor, volumeNameFor,
} from './volume.js';
