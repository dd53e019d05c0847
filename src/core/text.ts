/**
 * How names are written in words: labels from keys, plurals, articles. Used by the model layer
 * (field labels, refusals), the admin and the API alike.
 */

/** `questionText` or `question_text` → `Question text`. */
export function humanize(key: string): string {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .trim()
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** A naive English plural, overridable per registration with `labelPlural`. */
export function pluralize(word: string): string {
  if (/[^aeiou]y$/i.test(word)) return `${word.slice(0, -1)}ies`;
  if (/(s|x|z|ch|sh)$/i.test(word)) return `${word}es`;
  return `${word}s`;
}

/**
 * A model's name for `count` objects, in lower case: its label for one, its plural otherwise.
 *
 * @example
 *   modelNoun(questionsReg, 1) // 'question'
 *   modelNoun(questionsReg, 3) // 'questions'
 */
export function modelNoun(model: { label: string; labelPlural: string }, count: number): string {
  return (count === 1 ? model.label : model.labelPlural).toLowerCase();
}

/**
 * A noun with its indefinite article, by how it sounds: "an" before a vowel sound (not before the
 * "you" of "user" or the "w" of "one"), and before a silent h.
 *
 * @example
 *   withArticle('address')        // 'an address'
 *   withArticle('e-mail address') // 'an e-mail address'
 *   withArticle('user')           // 'a user'
 */
export function withArticle(noun: string): string {
  const vowel =
    /^[aeiou]/i.test(noun) && !/^(u[bcdfgklmnprstvz][aeiou]|uni|use|usu|eu|one\b|once)/i.test(noun);
  const silentH = /^(hour|honest|honou?r|heir)/i.test(noun);
  return `${vowel || silentH ? 'an' : 'a'} ${noun}`;
}
