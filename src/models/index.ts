export { R2Plus1D, midChannels, stageChannels, type StudentOutput } from './student.js';
export { Mnf, type MnfConfig, type MnfOutput } from './mnf.js';
export { ParamStore } from './params.js';
export { Rng } from '../rng.js';
export { adaptTeacher, checkTeacherDim } from './teacher.js';
