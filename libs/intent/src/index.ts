export { classify, createClassifier, detectLanguage } from './classify';
export type { TitleFinder } from './classify';
