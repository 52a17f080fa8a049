// Asks the fleet for a user's page views with the typed client:
//   npm run query -w @sluice-examples/interactive-queries -- user-42 [http://127.0.0.1:7070]
import { StreamsHttpClient } from 'sluice/http';
import { STORES } from './topology.js';

const [user, ...urls] = process.argv.slice(2);
if (!user) {
  console.error('usage: query <user> [worker url ...]');
  process.exit(2);
}
const client = new StreamsHttpClient({ urls: urls.length > 0 ? urls : ['http://127.0.0.1:7070'], ...(process.env['QUERY_TOKEN'] ? { authToken: process.env['QUERY_TOKEN'] } : {}) });
const total = await client.get<number>(STORES.totals, user);
console.log(total ? `${user}: ${total.value} views (answered by ${total.servedBy})` : `${user}: no views`);
for await (const w of client.windows<number>(STORES.perMinute, user, { from: Date.now() - 60 * 60_000 })) {
  console.log(`  ${new Date(w.window.start).toISOString()}  ${w.value}`);
}
client.close();
