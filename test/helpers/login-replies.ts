// The login replies the throttle tests expect, written out from the contract (not imported from
// the server), shared by test/api/login-throttle.test.ts and test/api/auth-device.test.ts.

export const WRONG = 'Wrong-passw0rd';
export const INVALID = {
  statusCode: 401,
  code: 'INVALID_CREDENTIALS',
  error: 'Unauthorized',
  message: '用户名或密码错误',
};
export const LOCKED = {
  statusCode: 429,
  code: 'ACCOUNT_LOCKED',
  error: 'Too Many Requests',
  message: '连续 100 次登录失败，此账户已不能在新的设备上登录：请在以前登录过的浏览器上登录，或联系管理员重置密码',
};
export const throttled = (seconds: number) => ({
  statusCode: 429,
  code: 'LOGIN_THROTTLED',
  error: 'Too Many Requests',
  message: `登录失败次数过多，请 ${seconds} 秒后再试`,
  details: { retryAfterSeconds: seconds },
});
