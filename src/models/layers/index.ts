export { Conv3d, type Triple } from './conv3d.js';
export { BatchNorm, BN_EPS, BN_MOMENTUM } from './batchnorm.js';
export { Linear } from './linear.js';
export { MultiHeadAttention, type AttentionOutput } from './attention.js';
export { meanOverTokens } from './token-mean.js';
