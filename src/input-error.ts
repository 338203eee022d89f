/** A bad input value: the message names the input and what was expected. */
export class InputError extends Error {
  override readonly name = 'InputError';
}
