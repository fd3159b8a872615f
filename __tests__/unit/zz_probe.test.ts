import { it } from 'vitest';
import { parseDatabaseUrl, secretsOf } from '../../src/connection.js';
it('probe', () => {
const t = (u: string) => { try { console.log(u, JSON.stringify(parseDatabaseUrl(u))); } catch (e) { console.log(u, 'ERR', (e as Error).message); } console.log('  secrets', secretsOf(u)); };
t('postgres:///db?host=h1,h2');
t('postgres://u:pa/ss@host/db');
t('postgres://u:hunter2/xyz@host/db');
t('postgres://u@host:5432/db?x=a@b');
t('postgres://alice:s3cret@db.example.com');
t('postgres://u:p%zz@host/db');
t('postgres://u:p@host/db#frag');
t('postgres://u:p@host:/db');
t('postgresql://u:p@host/db?sslmode=require&password=a+b');
t('postgres://u:p@host/db?sslmode=bogus&password=topsecret');
});
