// The typed `ResourceType` constructor the group definitions use.
import type { KubeObject } from '../../../apimachinery/object.js';
import type { ResourceType } from '../../types.js';

/**
 * Lets a kind be written against its kubernetes-types interface and still be listed as a plain
 * `ResourceType`: the server only ever hands each entry objects of its own kind.
 */
export function defineResource<T>(rt: ResourceType<T & KubeObject>): ResourceType {
  return rt as unknown as ResourceType;
}
