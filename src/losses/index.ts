export { crossEntropy } from './cross-entropy.js';
export { cosineSimilarity, cosineDistance } from './cosine.js';
export { tripletLoss } from './triplet.js';
export { gateL1 } from './gate-l1.js';
export { detach } from './detach.js';
