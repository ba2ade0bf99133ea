import { fireEvent, render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { SkipLink } from './SkipLink';

describe('SkipLink', () => {
  it('moves the keyboard focus to the main content', () => {
    render(
      <>
        <SkipLink />
        <nav>
          <a href="/a">Dashboard</a>
        </nav>
        <main>Page</main>
      </>,
    );
    const link = screen.getByRole('link', { name: 'Skip to content' });
    fireEvent.click(link);
    const main = screen.getByRole('main');
    expect(document.activeElement).toBe(main);
    expect(main.getAttribute('tabindex')).toBe('-1');
  });
});
