import type { ChatTurn, Intent } from '@manga-assist/contracts';

/** A session's turns, oldest first: turn n asks "question n" and gets "answer n". */
export function history(count: number, intent: Intent = 'recommendation'): ChatTurn[] {
  return Array.from({ length: count }, (_, i) => ({
    seq: i + 1,
    requestId: `req-${i + 1}`,
    user: `question ${i + 1}: 何かおすすめの漫画はありますか？少年向けで、完結済みのものが良いです。`,
    assistant: `answer ${i + 1}: 『葬送のフリーレン』（山田鐘人）は572円で在庫あり、次巻は2025年12月18日発売予定です。『ベルセルク』もおすすめです。`,
    intent,
    at: new Date(Date.UTC(2025, 0, 1, 0, i)).toISOString(),
  }));
}
