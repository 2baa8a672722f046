import { type FormEvent, useState } from 'react';
import { ApiError, api } from '../api.ts';
import { FormError } from '../components/form.tsx';
import { useTitle } from '../hooks.ts';
import type { Me } from '../types.ts';

export function LoginPage({ onSignedIn }: { onSignedIn: (me: Me) => void }) {
  useTitle('Sign in');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [store, setStore] = useState('');
  const [askStore, setAskStore] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const me = await api<Me>('/app/api/login', {
        method: 'POST',
        body: { email, password, ...(store ? { store } : {}) },
      });
      onSignedIn(me);
    } catch (err) {
      const storeDetail = err instanceof ApiError ? err.details.find((d) => d.path === 'store') : undefined;
      if (storeDetail) setAskStore(storeDetail.message.replace(/^one of /, ''));
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="login" id="main">
      <form className="login-card" onSubmit={submit} aria-labelledby="login-title">
        <div className="login-brand">
          <img src="/favicon.svg" alt="" width="36" height="36" />
          <span>Comeback</span>
        </div>
        <h1 id="login-title">Sign in</h1>
        <p className="muted">See who comes back, who is drifting away, and what to do about it.</p>
        <div className="field">
          <label htmlFor="email">Email</label>
          <input
            id="email"
            type="email"
            autoComplete="username"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="password">Password</label>
          <input
            id="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </div>
        {askStore ? (
          <div className="field">
            <label htmlFor="store">Store</label>
            <input
              id="store"
              required
              value={store}
              onChange={(e) => setStore(e.target.value)}
              aria-describedby="store-hint"
            />
            <p id="store-hint" className="hint">
              This login works for several stores: {askStore}.
            </p>
          </div>
        ) : null}
        <FormError message={error} />
        <button type="submit" className="button button-primary button-block" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        <p className="hint">
          First time? <code>npm start</code> prints the demo store's login. Add people with{' '}
          <code>npx comeback users create</code>.
        </p>
      </form>
    </main>
  );
}
