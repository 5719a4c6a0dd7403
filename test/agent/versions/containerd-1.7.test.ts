// The agent's real-containerd scenarios on containerd 1.7 (see versionSuite.ts).
import { containerdVersionSuite } from './versionSuite.js';

containerdVersionSuite('1.7');
