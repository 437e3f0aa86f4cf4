// Whether a tensor's data has no holder but the tensor itself: then a kernel may overwrite it
// (the optimiser's out buffers). Asks the current backend's reference count, whatever the backend.
import { tf } from '../tf.js';

export function heldOnlyHere(t: tf.Tensor): boolean {
  return !t.isDisposed && tf.backend().refCount(t.dataId) === 1;
}
