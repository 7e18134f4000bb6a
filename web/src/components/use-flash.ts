import { type RefObject, useEffect, useLayoutEffect, useRef, useState } from "react";

const FLASH_MS = 1200;

/**
 * "flash" for a moment after `value` changes (not when it first shows): a count
 * or title that changed under the reader's eyes is noticed without a toast.
 * A fading background, no movement, so it stays on under reduced motion.
 */
export function useFlash(value: unknown): string {
  const [flashing, setFlashing] = useState(false);
  const previous = useRef(value);
  useEffect(() => {
    if (Object.is(previous.current, value)) return;
    previous.current = value;
    setFlashing(false);
    // Restart the animation when changes come in quick succession.
    const start = requestAnimationFrame(() => setFlashing(true));
    const stop = setTimeout(() => setFlashing(false), FLASH_MS);
    return () => {
      cancelAnimationFrame(start);
      clearTimeout(stop);
    };
  }, [value]);
  return flashing ? "flash" : "";
}

const reducedMotion = () => globalThis.matchMedia?.("(prefers-reduced-motion: reduce)").matches ?? false;

/**
 * FLIP: when the children of `container` (each with a `data-flip-id`) change
 * places, each slides from where it was to where it is, so a re-ranked feed
 * reads as movement rather than a jump. Nothing moves under reduced motion.
 *
 * Positions are read synchronously only when there is something to animate
 * from. The first ones are read after the frame is painted, when layout is
 * clean: read in the first render's layout effect, they forced a full layout in
 * the middle of it, the longest task of the feed's load under Lighthouse's
 * mobile throttling.
 */
export function useFlip(container: RefObject<HTMLElement | null>, order: string) {
  const tops = useRef(new Map<string, number>());
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when the order changes (that is what it animates)
  useLayoutEffect(() => {
    const el = container.current;
    if (!el || reducedMotion()) return;
    const before = tops.current;
    if (before.size === 0) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const frame = requestAnimationFrame(() => {
        timer = setTimeout(() => {
          tops.current = positions(el);
        });
      });
      return () => {
        cancelAnimationFrame(frame);
        clearTimeout(timer);
      };
    }
    const items = flipItems(el);
    const next = positions(el, items);
    tops.current = next;
    for (const item of items) {
      const was = before.get(item.dataset.flipId!);
      const now = next.get(item.dataset.flipId!);
      if (was === undefined || now === undefined || Math.abs(was - now) < 1) continue;
      item.animate([{ transform: `translateY(${was - now}px)` }, { transform: "none" }], {
        duration: 320,
        easing: "cubic-bezier(0.2, 0, 0, 1)",
      });
    }
  }, [container, order]);
}

const flipItems = (el: HTMLElement) => [...el.querySelectorAll<HTMLElement>("[data-flip-id]")];

/** Each child's top, relative to the list (so scrolling between two renders is not mistaken for a move). */
function positions(el: HTMLElement, items = flipItems(el)): Map<string, number> {
  const origin = el.getBoundingClientRect().top;
  return new Map(items.map((item) => [item.dataset.flipId!, item.getBoundingClientRect().top - origin]));
}
