import { AppError, ErrorCode, type LocalizedText } from '@betang/core';
import { ZxcvbnFactory, type OptionsType, type ZxcvbnResult } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';
import * as english from '@zxcvbn-ts/language-en';
import * as indonesian from '@zxcvbn-ts/language-id';

/**
 * The lowest zxcvbn score a new password may have. 3 means about 10^8 guesses or more: out of
 * reach of online guessing behind the sign-in delays, and slow to crack offline behind argon2id.
 * Every password of the common-password lists, and every simple variation of one (l33t,
 * capitals, a year or digits added), scores below it.
 */
const MIN_PASSWORD_SCORE = 3;

/** Words of this deployment that make a password guessable for anyone who knows where it is used. */
const DEPLOYMENT_WORDS = ['betang', 'kalteng', 'kalimantan', 'palangkaraya', 'diskominfo', 'pemprov', 'pusatdata'];

type Checkers = { id: ZxcvbnFactory; en: ZxcvbnFactory };
let checkers: Checkers | undefined;

/** The two checkers (Indonesian and English feedback), built once: loading the dictionaries takes a moment. */
function loadCheckers(): Checkers {
  if (checkers) return checkers;
  const base: OptionsType = {
    graphs: common.adjacencyGraphs,
    dictionary: { ...common.dictionary, ...english.dictionary, ...indonesian.dictionary },
  };
  checkers = {
    id: new ZxcvbnFactory({ ...base, translations: indonesian.translations }),
    en: new ZxcvbnFactory({ ...base, translations: english.translations }),
  };
  return checkers;
}

/** What the person's account is known by: a password made of these is easy to guess for anyone who knows them. */
type PasswordOwner = { email: string; name?: string | null };

function userInputsOf(owner: PasswordOwner): string[] {
  const local = owner.email.split('@')[0] ?? '';
  // zxcvbn ranks earlier entries as likelier guesses.
  return [
    ...DEPLOYMENT_WORDS,
    owner.email,
    local,
    ...local.split(/[._+-]+/),
    ...(owner.name ? [owner.name, owner.name.replace(/\s+/g, ''), ...owner.name.split(/\s+/)] : []),
  ].filter((word) => word.length >= 3);
}

/** The verdict on a new password: its score and, when weak, why and what to do in both languages. */
type PasswordVerdict = { acceptable: boolean; score: number; feedback: LocalizedText | null };

function feedbackText(result: ZxcvbnResult): string {
  return [result.feedback.warning, ...result.feedback.suggestions].filter((text): text is string => !!text).join(' ');
}

/**
 * Judges a new password with zxcvbn-ts against the common-password list (language-common), the
 * English and Indonesian word lists, keyboard patterns, dates, and the owner's own e-mail and
 * name. Guarantees: deterministic for the same input; never sees or logs anything but its
 * arguments.
 */
export function judgePassword(password: string, owner: PasswordOwner): PasswordVerdict {
  const { id, en } = loadCheckers();
  const inputs = userInputsOf(owner);
  const verdict = id.check(password, inputs);
  if (verdict.score >= MIN_PASSWORD_SCORE) return { acceptable: true, score: verdict.score, feedback: null };
  const english = en.check(password, inputs);
  return { acceptable: false, score: verdict.score, feedback: { id: feedbackText(verdict), en: feedbackText(english) } };
}

/**
 * Refuses a new password that is too easy to guess with 400 VALIDATION_FAILED on `path`, in both
 * languages, saying why and how to make a better one. Length limits are the schema's (ZNewPassword).
 */
export function assertAcceptablePassword(password: string, owner: PasswordOwner, path = 'body.password'): void {
  const verdict = judgePassword(password, owner);
  if (verdict.acceptable) return;
  const why = verdict.feedback ?? { id: '', en: '' };
  throw new AppError(
    ErrorCode.ValidationFailed,
    {
      id: `Kata sandi ini terlalu mudah ditebak (mirip kata sandi umum, kata, nama, pola papan ketik, atau data akun Anda). ${why.id}`.trim(),
      en: `This password is too easy to guess (close to a common password, a word, a name, a keyboard pattern or your account details). ${why.en}`.trim(),
    },
    [{ path, message: 'too easy to guess', code: 'password_too_weak' }],
  );
}
