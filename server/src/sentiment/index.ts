export { createLocalModel, loadLexicon, scaleOf, labelOfScale, DEFAULT_THRESHOLDS, type LocalModel, type ScaleThresholds } from './model.js';
