// Every failure a villager can meet, as a title and one instruction in plain Chinese.
import { codeOf, messageOf, type Reply } from './http.ts';

export interface Problem {
  title: string;
  detail: string;
  /** the label of the button that tries the same request again, if any */
  retry?: string;
  /** offer typing the code from the slip */
  enterCode?: boolean;
}

export const INVALID_SLIP: Problem = {
  title: '无效的二维码',
  detail: '没有找到这张测评票。请核对后重新扫码，或手动输入测评票上的16位编码；仍有问题请向工作人员说明。',
  enterCode: true,
};

export const SLIP_USED: Problem = {
  title: '此二维码已使用',
  detail: '每张测评票只能提交一次。如果您确实还没有提交过，请向工作人员说明。',
};

export function problemOf(reply: Reply): Problem {
  const code = codeOf(reply);
  if (reply.status === 0) {
    return reply.failure === 'offline'
      ? { title: '手机没有联网', detail: '请打开移动数据或连接无线网络，然后点「重试」。', retry: '重试' }
      : { title: '网络不好', detail: '暂时连不上测评服务。请到信号好一些的地方，然后点「重试」。', retry: '重试' };
  }
  if (reply.status === 404 || code === 'SLIP_NOT_FOUND') return INVALID_SLIP;
  if (code === 'SLIP_ALREADY_USED') return SLIP_USED;
  if (code === 'SESSION_NOT_OPEN') {
    const title = messageOf(reply, '测评不在进行中');
    return title.indexOf('尚未') >= 0
      ? { title, detail: '请等主持人宣布开始后，点「刷新」。', retry: '刷新' }
      : { title, detail: '本次测评已停止提交。感谢您的关注。' };
  }
  if (reply.status === 429) {
    return {
      title: '请稍后再试',
      detail: messageOf(reply, '现在访问的人较多，请等一会儿再点「重试」。'),
      retry: '重试',
    };
  }
  if (reply.status >= 500) {
    return { title: '服务器繁忙', detail: '请稍等片刻再点「重试」。', retry: '重试' };
  }
  return { title: '无法完成', detail: messageOf(reply, '请求未被接受，请向工作人员说明。') };
}
