//! Textbook notation for the names students read: subscript and superscript digits, so that
//! w²₁₂ is the weight into neuron 1 of layer 2 from input 2 (layers and indices from 1).
//! The computation graph's labels, the checkpoints' symbols and the inputs' names all use it.

const SUBSCRIPT: [char; 10] = ['₀', '₁', '₂', '₃', '₄', '₅', '₆', '₇', '₈', '₉'];
const SUPERSCRIPT: [char; 10] = ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'];

/// `n` written in the digits of `set`.
fn written(n: usize, set: &[char; 10]) -> String {
    n.to_string().chars().map(|c| set[c.to_digit(10).unwrap_or(0) as usize]).collect()
}

/// "₁₂" for (1, 2); with an index from 10 on, "₁,₁₂", so that it reads one way only.
pub fn subscript(indices: &[usize]) -> String {
    let separator = if indices.iter().any(|&n| n >= 10) { "," } else { "" };
    indices.iter().map(|&n| written(n, &SUBSCRIPT)).collect::<Vec<_>>().join(separator)
}

/// "²" for 2.
pub fn superscript(n: usize) -> String {
    written(n, &SUPERSCRIPT)
}

/// "x₁" for input 0: the name of an input, counted from 1.
pub fn input_name(i: usize) -> String {
    format!("x{}", subscript(&[i + 1]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_read_one_way() {
        assert_eq!(subscript(&[1, 2]), "₁₂");
        assert_eq!(subscript(&[1, 12]), "₁,₁₂");
        assert_eq!(subscript(&[10]), "₁₀");
        assert_eq!(superscript(2), "²");
        assert_eq!(superscript(10), "¹⁰");
        assert_eq!(input_name(0), "x₁");
        assert_eq!(input_name(11), "x₁₂");
    }
}
