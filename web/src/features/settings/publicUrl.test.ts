import { describe, expect, it } from 'vitest';
import { publicUrlMismatch } from './publicUrl';

describe('publicUrlMismatch', () => {
  it('warns when the links in emails point elsewhere', () => {
    expect(publicUrlMismatch('http://127.0.0.1:8000', 'https://invoices.example.com')).toBe(
      'Links in emails point to http://127.0.0.1:8000, but you opened DueSpark at https://invoices.example.com: copied links would be dead.',
    );
    expect(publicUrlMismatch('https://pay.example.com', 'http://pay.example.com')).not.toBeNull();
    expect(publicUrlMismatch('http://127.0.0.1:8000', 'http://127.0.0.1:5173')).not.toBeNull();
  });

  it('is quiet when they match (default ports, loopback names and paths aside)', () => {
    expect(publicUrlMismatch('https://pay.example.com', 'https://pay.example.com')).toBeNull();
    expect(publicUrlMismatch('https://pay.example.com:443/', 'https://pay.example.com')).toBeNull();
    expect(publicUrlMismatch('http://127.0.0.1:8000', 'http://localhost:8000')).toBeNull();
    expect(publicUrlMismatch(null, 'http://localhost:8000')).toBeNull();
    expect(publicUrlMismatch('not a url', 'http://localhost:8000')).toBeNull();
  });
});
