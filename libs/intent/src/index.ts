export { classify, detectLanguage } from './classify';
export type { TitleFinder } from './classify';
