// Backend names, without loading tfjs (the console's thread and flag parsing need only these).
export type BackendName = 'auto' | 'native' | 'cpu' | 'tensorflow' | 'cuda';
export const BACKEND_NAMES: readonly BackendName[] = ['auto', 'native', 'cpu', 'tensorflow', 'cuda'];
