// Titles that are also everyday words. A message saying "ファンタジーでおすすめは？" or "can you
// help me" names a genre or asks for help; it does not name the work called ファンタジー or HELP.
// Matching them would send the message down the title path (and past two titles, to the bigger
// model), so these keys are never matched. Not exhaustive: the rules in `isMatchableKey` do most of
// the work, and a title the lookup misses is still found by the vector search.

/** Genre, shop and everyday words (Japanese); compared after `compactText`, so any kana form matches. */
const JAPANESE = [
  'まんが', '漫画', 'コミック', 'コミックス', 'ランキング', 'おすすめ', 'オススメ', 'ファンタジー', 'ミステリー',
  'アクション', 'サスペンス', 'コメディ', 'コメディー', 'ラブコメ', 'ラブコメディ', 'ロマンス', 'ホラー', 'スポーツ',
  'ボクシング', 'サッカー', 'バスケットボール', 'ベースボール', 'アドベンチャー', 'ヒーロー', 'ロボット', 'ファミリー',
  'ありがとう', 'こんにちは', 'こんばんは', 'おはよう', 'はじめまして', 'よろしく', 'おもしろい', 'かわいい', 'だいすき',
  'しあわせ', 'おねがい', 'ともだち', 'せんせい', 'がっこう', '夏休み', '冬休み', '春休み', '誕生日', '小学生', '中学生',
  '高校生', '大学生', '主人公', '新連載', '最新刊', '発売日', '少年漫画', '少女漫画', '青年漫画', '女性漫画',
];

/** Frequent English words (4+ letters) that are also single-word titles in the catalog. */
const ENGLISH = [
  'about', 'after', 'again', 'also', 'anime', 'baby', 'back', 'best', 'better', 'book', 'books', 'brother', 'change',
  'colors', 'comic', 'comics', 'cool', 'could', 'days', 'does', 'down', 'dream', 'dreams', 'easy', 'even', 'every',
  'exit', 'fight', 'find', 'first', 'free', 'freedom', 'friend', 'friends', 'from', 'funny', 'game', 'games', 'give',
  'goal', 'good', 'goodbye', 'great', 'happy', 'have', 'hello', 'help', 'here', 'hero', 'hope', 'human', 'just', 'kids',
  'kind', 'king', 'know', 'lady', 'last', 'life', 'like', 'link', 'list', 'live', 'look', 'lookup', 'love', 'lovely',
  'make', 'manga', 'many', 'missing', 'money', 'more', 'most', 'movie', 'much', 'music', 'must', 'need', 'never', 'news',
  'next', 'nice', 'only', 'order', 'other', 'over', 'please', 'present', 'price', 'pure', 'read', 'really', 'right',
  'room', 'same', 'school', 'series', 'some', 'something', 'soon', 'sports', 'spring', 'start', 'step', 'still', 'stock',
  'story', 'such', 'sure', 'sweet', 'take', 'team', 'tell', 'than', 'thank', 'thanks', 'that', 'them', 'then', 'there',
  'these', 'they', 'thing', 'think', 'this', 'time', 'today', 'very', 'volume', 'want', 'wanted', 'warning', 'water',
  'week', 'well', 'what', 'when', 'where', 'which', 'while', 'will', 'with', 'works', 'world', 'would', 'year', 'your',
];

export const TITLE_STOP_WORDS: readonly string[] = [...JAPANESE, ...ENGLISH];
