// The agent's real-containerd scenarios on containerd 2.x (see versionSuite.ts).
import { containerdVersionSuite } from './versionSuite.js';

containerdVersionSuite('2.x');
