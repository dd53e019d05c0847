/**
 * Passwords refused as too common: the most frequent ones from public breach lists, lower-case.
 * (Django ships 20,000; these cover the ones attackers try first.)
 */
// biome-ignore format: a word list reads better packed
export const COMMON_PASSWORDS: ReadonlySet<string> = new Set([
  '000000', '1111', '111111', '11111111', '112233', '121212', '123123', '123321', '1234', '12345',
  '123456', '1234567', '12345678', '123456789', '1234567890', '123456a', '1234qwer', '123abc', '123qwe',
  '131313', '159753', '1q2w3e4r', '1q2w3e4r5t', '1qaz2wsx', '2000', '555555', '654321', '666666', '696969',
  '777777', '7777777', '987654321', 'a1b2c3d4', 'aaaaaa', 'abc123', 'abc12345', 'abcdef', 'abcdefg',
  'abcdefgh', 'access', 'admin', 'admin123', 'administrator', 'amanda', 'andrew', 'apple123', 'asdfgh',
  'ashley', 'austin', 'baseball', 'baseball1', 'batman', 'biteme', 'buster', 'changeme', 'charlie',
  'cheese', 'chelsea', 'computer', 'dallas', 'daniel', 'default', 'django', 'django123', 'dragon',
  'dragon1', 'facebook', 'flower', 'football', 'football1', 'football12', 'freedom', 'george', 'ginger',
  'google', 'guest', 'harley', 'hello', 'hello123', 'hockey', 'hottie', 'hunter', 'iloveu', 'iloveyou',
  'iloveyou1', 'jennifer', 'jessica', 'jordan', 'joshua', 'killer', 'klaster', 'letmein', 'letmein1',
  'letmein123', 'linkedin', 'login', 'login123', 'love', 'lovely', 'loveme', 'maggie', 'master', 'master1',
  'matrix', 'matthew', 'michael', 'michelle', 'mobilemail', 'mom', 'monitor', 'monitoring', 'monkey',
  'montana', 'moon', 'moscow', 'mustang', 'nicole', 'p@ssw0rd', 'pass', 'passw0rd', 'password',
  'password1', 'password12', 'password123', 'pepper', 'postgres', 'postgresql', 'princess', 'princess1',
  'q1w2e3r4', 'qazwsx', 'qwe123', 'qwerty', 'qwerty1', 'qwerty123', 'qwertyuiop', 'ranger', 'robert',
  'root', 'samsung', 'secret', 'shadow', 'slipway', 'slipway123', 'soccer', 'solo', 'starwars',
  'starwars1', 'summer', 'sunshine', 'sunshine1', 'superman', 'taylor', 'temp', 'temp123', 'test',
  'test123', 'testing', 'thomas', 'thunder', 'tigger', 'toor', 'trustno1', 'twitter', 'user', 'user123',
  'welcome', 'welcome1', 'whatever', 'yankees', 'zaq12wsx', 'zxcvbn', 'zxcvbnm',
]);
