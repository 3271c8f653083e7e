import type { ChatTurn, Intent } from '@manga-assist/contracts';

interface Exchange {
  intent: Intent;
  user: string;
  assistant: string;
}

// A customer's conversation with the store, the way the chat page produces it: short questions,
// answers that list catalog rows with prices. Titles are real serializations; prices and stock are
// synthetic, and no answer describes a title's story.
const EXCHANGES: readonly Exchange[] = [
  {
    intent: 'trending',
    user: '今週人気の漫画を教えてください。',
    assistant:
      '今週よく売れているのは『進撃の巨人』全34巻セット（¥17,160、在庫あり）、『ONE PIECE』最新108巻（¥528、在庫あり）、『呪術廻戦』27巻（¥528、在庫わずか）、『葬送のフリーレン』13巻（¥594、在庫あり）、『SPY×FAMILY』13巻（¥528、在庫あり）です。どれも少年・青年向けの定番で、初めての方にもおすすめできます。気になる作品があれば、あらすじや巻数をご案内します。' +
      '売れ筋ランキングは毎日午前6時に更新しています。まとめ買いの場合は送料無料になり、全巻セットには特製の収納ボックスが付く場合があります。',
  },
  {
    intent: 'title_lookup',
    user: '『進撃の巨人』は全部で何巻ですか？',
    assistant:
      '『進撃の巨人』（諫山創、別冊少年マガジン連載）は全34巻で完結しています。単行本は1冊¥495〜¥528、全巻セットは¥17,160で在庫があります。限定版や画集も一部取り扱っていますが、在庫は日によって変わりますので、ご購入前に商品ページでご確認ください。' +
      '単行本は紙版と電子書籍版の両方をご用意しています。紙版には初版限定の特典が付く巻もありますので、商品ページの説明をご確認ください。',
  },
  {
    intent: 'genre_browse',
    user: '少年漫画で800円以下のものはありますか？',
    assistant:
      '800円以下の少年漫画では、『僕のヒーローアカデミア』（¥484）、『チェンソーマン』（¥528）、『ブルーロック』（¥528）、『怪獣8号』（¥528）、『Dr.STONE』（¥484）などがあります。いずれも在庫があり、1巻から気軽に始められます。アクション重視ならチェンソーマン、スポーツならブルーロックが人気です。' +
      'ご予算に合わせて、1巻だけのお試し購入もできます。続きが気になったら、2巻以降をまとめてカートに追加すると配送が一度で済みます。',
  },
  {
    intent: 'recommendation',
    user: 'スポーツ漫画でおすすめは？',
    assistant:
      'スポーツ漫画なら『ハイキュー!!』（全45巻、¥484〜）、『SLAM DUNK』新装再編版（全20巻、¥1,100）、『ブルーロック』（既刊30巻、¥528）、『MAJOR 2nd』（¥484）をおすすめします。チームの成長を楽しみたい方にはハイキュー!!、試合の駆け引きを楽しみたい方にはブルーロックが向いています。' +
      'どの作品も完結済みまたは連載中で、完結済みの作品は一気に読めるのが魅力です。気になるものがあれば、試し読みページもご案内できます。',
  },
  {
    intent: 'new_releases',
    user: '来月発売の新刊はありますか？',
    assistant:
      '来月は『ONE PIECE』109巻、『SPY×FAMILY』14巻、『葬送のフリーレン』14巻の発売が予定されています（いずれも予価¥528〜¥594）。予約受付中の商品は発売日にお届けできるよう手配いたします。発売日は出版社の都合で変更になる場合があります。' +
      '予約商品は発売日前日に発送し、発売日当日のお届けを目指しています。地域によっては1日遅れる場合がありますのでご了承ください。',
  },
  {
    intent: 'comparison',
    user: '『呪術廻戦』と『チェンソーマン』はどちらが怖いですか？',
    assistant:
      '一般的には『チェンソーマン』のほうが描写が過激で、ホラー要素も強めです。『呪術廻戦』もダークな展開がありますが、バトルと友情の比重が大きめです。怖さが苦手な方には呪術廻戦、刺激を求める方にはチェンソーマンが合うと思います。どちらも1巻¥528で在庫があります。' +
      'なお、どちらも年齢制限のない一般向けの単行本ですが、流血表現が苦手な方は試し読みで雰囲気を確かめてからのご購入をおすすめします。',
  },
  {
    intent: 'order_status',
    user: '先週注文した本はいつ届きますか？',
    assistant:
      'ご注文の状況はマイページの「注文履歴」から確認できます。通常はご注文から2〜4営業日でお届けしています。予約商品を含むご注文は、すべての商品がそろってから発送される場合があります。お急ぎの場合は分割発送もご検討ください。' +
      '配送状況の詳細は、発送完了メールに記載のお問い合わせ番号から配送業者のサイトでも確認できます。住所の変更は発送前まで承っています。',
  },
  {
    intent: 'chit_chat',
    user: 'ありがとう！',
    assistant:
      'どういたしまして！ほかにも気になる作品やジャンルがあれば、いつでも聞いてください。好きな作品を教えていただければ、似た雰囲気の漫画もご提案できます。' +
      'またのご利用をお待ちしております。新刊の入荷や値下げのお知らせを受け取りたい場合は、作品ページの「お気に入り」に登録してください。',
  },
];

/** Turn `seq` (from 1) of a long conversation; exchanges repeat with the turn number mixed in. */
export function japaneseTurn(seq: number, sessionSalt = ''): ChatTurn {
  const exchange = EXCHANGES[(seq - 1) % EXCHANGES.length]!;
  const at = new Date(Date.UTC(2025, 0, 1, 12, 0, seq)).toISOString();
  return {
    seq,
    requestId: `req-${sessionSalt}${seq}`,
    user: seq > EXCHANGES.length ? `(${seq}) ${exchange.user}` : exchange.user,
    assistant: exchange.assistant,
    intent: exchange.intent,
    at,
  };
}

export function japaneseConversation(turns: number, sessionSalt = ''): ChatTurn[] {
  return Array.from({ length: turns }, (_, i) => japaneseTurn(i + 1, sessionSalt));
}
