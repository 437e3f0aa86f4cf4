// The single tfjs-core instance the package uses; importing the cpu backend registers 'cpu'.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';

export { tf };
