// Prints the Cookie header of a signed-in session, for the load tool.
import { signIn } from '../lib/signin.mjs';

const c = await signIn(process.argv[2] ?? 'readonly@example.com');
console.log(c.cookieHeader(process.env.APP_URL));
